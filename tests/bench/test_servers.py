"""The two-server load test (bench/servers.py): HAProxy's configuration and statistics, the
requests in flight at the stop, the sessions that outlived it, and the report. The run
itself (two gunicorns, HAProxy, Redis) is `make loadtest SERVERS=2`; these tests need none
of it, but check the configuration with HAProxy itself when it is installed."""

import csv
import shutil
import subprocess

import pytest

from bench import servers
from bench.loadtest import LOGIN_PATH
from bench.servers import (
    Measured,
    Request,
    ServerState,
    access_verdict,
    haproxy_config,
    in_flight,
    p95,
    read_requests,
    report,
    request_row,
    seconds,
    served,
    server_states,
    stop_outcome,
    verdicts,
)

STOP = 1_000.0


def _config(tmp_path):
    return haproxy_config(
        port=8100, servers={"s1": 8101, "s2": 8102}, stats_socket=tmp_path / "haproxy.sock"
    )


def _lines(config):
    return [line.strip() for line in config.splitlines() if not line.strip().startswith("#")]


# HAProxy ---------------------------------------------------------------------------------


def test_the_config_balances_both_servers_round_robin_and_checks_their_health(tmp_path):
    lines = _lines(_config(tmp_path))

    assert "bind 127.0.0.1:8100" in lines
    assert lines[-2:] == ["server s1 127.0.0.1:8101", "server s2 127.0.0.1:8102"]
    assert "balance roundrobin" in lines
    assert "default-server check inter 2s fastinter 500ms fall 2 rise 2" in lines
    # /health/ answers 503 when a part fails; 200 only is healthy, asked for by our host.
    assert "option httpchk GET /health/ HTTP/1.1" in lines
    assert "http-check send hdr Host 127.0.0.1" in lines
    assert "http-check expect status 200" in lines
    assert f"stats socket {tmp_path / 'haproxy.sock'} mode 600 level admin" in lines


def test_the_config_sends_a_refused_request_to_the_other_server_and_never_repeats_a_post(
    tmp_path,
):
    lines = _lines(_config(tmp_path))

    assert {"retries 3", "option redispatch 1", "retry-on conn-failure empty-response"} <= set(
        lines
    )
    assert "http-request disable-l7-retry unless METH_GET" in lines


def test_the_config_tells_the_app_the_client_and_lets_no_client_claim_https(tmp_path):
    lines = _lines(_config(tmp_path))

    assert "option forwardfor" in lines
    assert "http-request del-header X-Forwarded-Proto" in lines


def test_the_config_has_every_timeout_and_waits_longer_for_a_server_than_it_takes_to_stop(
    tmp_path,
):
    timeouts = dict(
        line.split()[1:3] for line in _lines(_config(tmp_path)) if line.startswith("timeout ")
    )

    assert timeouts == {
        "connect": "2s",
        "client": "30s",
        "http-request": "10s",
        "http-keep-alive": "10s",
        "queue": "30s",
        "server": "60s",
        "check": "2s",
    }
    assert int(timeouts["server"].removesuffix("s")) > servers.GRACEFUL_TIMEOUT


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="Debian's haproxy: make setup")
def test_haproxy_itself_finds_the_config_valid_without_a_warning(tmp_path):
    path = tmp_path / "haproxy.cfg"
    path.write_text(_config(tmp_path))

    done = subprocess.run(
        ["haproxy", "-c", "-f", str(path)], capture_output=True, text=True, timeout=30
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stdout + done.stderr


# HAProxy's `show stat`, as 2.6 writes it: a "# " before the header, a comma after each row.
STAT = """\
# pxname,svname,stot,wretr,wredis,status,chkdown,lastchg,check_status,
app,FRONTEND,1200,,,OPEN,,,,
servers,s1,600,4,3,DOWN,1,57,L4CON,
servers,s2,640,0,0,UP,0,93,L7OK,
servers,BACKEND,1240,4,3,UP,0,93,,
"""


def test_server_states_reads_each_server_of_the_backend_from_show_stat():
    assert server_states(STAT) == {
        "s1": ServerState(
            status="DOWN", check="L4CON", downs=1, since=57, retries=4, redispatches=3
        ),
        "s2": ServerState(status="UP", check="L7OK", downs=0, since=93, retries=0, redispatches=0),
    }
    assert server_states(STAT, backend="other") == {}


def test_requests_answered_are_counted_from_the_access_log_without_health_checks(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(
        '127.0.0.1 - - [01/Jan/2027:10:00:00 +0100] "GET /health/ HTTP/1.1" 200 60 "-" "-"\n'
        '127.0.0.1 - - [01/Jan/2027:10:00:01 +0100] "GET /journal/ HTTP/1.1" 200 9000 "-" "x"\n'
        '127.0.0.1 - - [01/Jan/2027:10:00:02 +0100] "POST /accounts/login/ HTTP/1.1" 302 0 "-"\n'
    )

    assert served(log) == 2
    assert served(tmp_path / "absent.log") == 0


# The requests CSV ------------------------------------------------------------------------


class CatchResponseError(Exception):
    """Like locust's: the failure text a locustfile gives."""


def test_a_request_is_written_with_its_end_and_its_failure_on_one_line_and_read_back(tmp_path):
    rows = [
        request_row(
            user="peer#1",
            method="GET",
            name="/journal/",
            start=STOP - 0.25,
            milliseconds=500,
            error=None,
        ),
        request_row(
            user="leader#2",
            method="GET",
            name="/",
            start=STOP + 1,
            milliseconds=12.5,
            error=ConnectionError("Connection aborted.\nRemoteDisconnected('closed')"),
        ),
        request_row(
            user="mentor#3",
            method="GET",
            name="/",
            start=STOP + 2,
            milliseconds=3,
            error=TimeoutError(),
        ),
    ]
    path = tmp_path / "requests.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(servers.REQUEST_FIELDS)
        writer.writerows(rows)

    assert read_requests(path) == [
        Request("peer#1", "GET", "/journal/", STOP - 0.25, STOP + 0.25, ""),
        Request(
            "leader#2",
            "GET",
            "/",
            STOP + 1,
            STOP + 1.0125,
            "Connection aborted. RemoteDisconnected('closed')",
        ),
        Request("mentor#3", "GET", "/", STOP + 2, STOP + 2.003, "TimeoutError"),
    ]


def test_locusts_failure_text_is_kept_as_the_locustfile_gave_it():
    row = request_row(
        user="peer#1",
        method="GET",
        name="/journal/",
        start=STOP,
        milliseconds=10,
        error=CatchResponseError(servers.SENT_TO_LOGIN),
    )

    assert row[-1] == "sent on to /accounts/login/"


# In flight, and the sessions -------------------------------------------------------------


def _request(user="peer#1", start=STOP + 1, seconds_=0.1, error="", name="/", method="GET"):
    return Request(user, method, name, start, start + seconds_, error)


def _login(user, at):
    return _request(user=user, start=at - 0.3, seconds_=0.3, name=LOGIN_PATH, method="POST")


def test_a_request_is_in_flight_when_it_was_sent_before_the_stop_and_ended_after_it():
    assert in_flight(_request(start=STOP - 0.5, seconds_=1), STOP)
    # Ended at the very moment, or started at it: not in flight.
    assert not in_flight(_request(start=STOP - 1, seconds_=1), STOP)
    assert not in_flight(_request(start=STOP, seconds_=1), STOP)
    assert not in_flight(_request(start=STOP - 2, seconds_=1), STOP)
    assert not in_flight(_request(start=STOP + 1, seconds_=1), STOP)


def test_only_failures_in_flight_at_the_stop_are_excused():
    before = _request(start=STOP - 5, error="HTTP 500")
    held = _request(start=STOP - 0.2, seconds_=0.5, error="HTTP 502")
    answered = _request(start=STOP - 0.2, seconds_=0.5)
    after = _request(start=STOP + 0.1, error="no answer: ConnectionError()")

    outcome = stop_outcome([before, held, answered, after, _request()], STOP)

    assert outcome.requests == 5
    assert outcome.in_flight == 2
    assert outcome.failed_in_flight == (held,)
    assert outcome.failed_otherwise == (before, after)


def test_a_user_logged_in_before_the_stop_survives_when_pages_answer_after_it():
    requests = [
        _login("peer#1", STOP - 10),
        _request("peer#1", start=STOP - 5),
        _request("peer#1", start=STOP + 2),
        # Sent back to the login page after the stop: the session was lost.
        _login("leader#1", STOP - 8),
        _request("leader#1", start=STOP + 1, error=servers.SENT_TO_LOGIN, name="/units/"),
        _request("leader#1", start=STOP + 3),
        # Logged in before the stop, but only a style sheet after it: nothing to tell.
        _login("mentor#1", STOP - 7),
        _request("mentor#1", start=STOP + 1, name="/static/[asset]"),
        # Logged in after the stop: not a session the stop could have lost.
        _login("centre#1", STOP + 4),
        _request("centre#1", start=STOP + 5, error=servers.SENT_TO_LOGIN),
    ]

    outcome = stop_outcome(requests, STOP)

    assert outcome.logged_in == {"peer#1", "leader#1", "mentor#1"}
    assert outcome.sent_back == {"leader#1"}
    assert outcome.unseen == {"mentor#1"}
    assert outcome.survived == {"peer#1"}


def test_a_failed_login_is_no_session():
    failed = _request("peer#1", start=STOP - 3, name=LOGIN_PATH, method="POST", error="HTTP 500")

    assert stop_outcome([failed, _request("peer#1")], STOP).logged_in == frozenset()


def test_p95_is_the_nearest_rank_of_the_times_in_milliseconds():
    requests = [_request(seconds_=ms / 1000) for ms in range(1, 21)]

    assert p95(requests) == pytest.approx(19)
    assert p95([_request(seconds_=0.25)]) == pytest.approx(250)
    assert p95([]) is None


def test_run_times_are_read_as_locust_reads_them():
    assert seconds("2m") == 120
    assert seconds("90s") == 90
    assert seconds("1m30s") == 90
    assert seconds("1h30m") == 5400
    assert seconds("45") == 45
    with pytest.raises(ValueError, match="Not a run time: '2 minutes'"):
        seconds("2 minutes")


# The access log and the report -----------------------------------------------------------


def _stats_row(name, requests, failures, p95_ms="40", method="GET", per_second="0"):
    return {
        "Type": method,
        "Name": name,
        "Request Count": str(requests),
        "Failure Count": str(failures),
        "Requests/s": per_second,
        "50%": "20",
        "95%": p95_ms,
        "99%": "90",
        "Max Response Time": "120.5",
    }


NOTE = "/journal/notes/[id]/"


def test_a_note_read_failed_in_flight_leaves_the_access_log_without_a_verdict():
    stats = [_stats_row(NOTE, 41, 1)]
    held = _request(start=STOP - 0.1, seconds_=0.3, error="HTTP 502", name=NOTE)
    outcome = stop_outcome([held], STOP)

    assert access_verdict(40, stats, outcome) == (
        None,
        "1 note reads failed: 40 rows for 40 reads is not exact (in flight at the stop: not a"
        " verdict)",
    )


def test_a_note_read_failed_after_the_stop_fails_the_access_log():
    stats = [_stats_row(NOTE, 41, 1)]
    after = _request(start=STOP + 1, error="HTTP 502", name=NOTE)

    assert access_verdict(40, stats, stop_outcome([after], STOP)) == (
        False,
        "1 note reads failed: 40 rows for 40 reads is not exact",
    )
    assert access_verdict(40, [_stats_row(NOTE, 40, 0)], stop_outcome([], STOP)) == (
        True,
        "40 access-log rows for 40 note reads",
    )


def _measured(requests, **changes):
    values = {
        "outcome": stop_outcome(requests, STOP),
        "stats": [
            _stats_row("/", 90, 0, p95_ms="40"),
            _stats_row("Aggregated", 130, 1, p95_ms="60", method="", per_second="21.7"),
        ],
        "after_stop_p95": 75.0,
        "stop": STOP,
        "stop_at": 30.2,
        "exited_after": 0.4,
        "exit_code": 0,
        "states": {
            "s1": ServerState("DOWN", "L4CON", downs=1, since=20, retries=4, redispatches=3),
            "s2": ServerState("UP", "L7OK", downs=0, since=60, retries=0, redispatches=0),
        },
        "down_after": 2.0,
        "served": {"s1": 61, "s2": 69},
        "access": (True, "12 access-log rows for 12 note reads"),
        "logged": 0,
    }
    return Measured(**{**values, **changes})


def _run():
    return [
        _login("peer#1", STOP - 10),
        _request("peer#1", start=STOP - 0.2, seconds_=0.5, error="HTTP 502"),
        _request("peer#1", start=STOP + 2),
        _login("leader#1", STOP - 9),
        _request("leader#1", start=STOP + 1),
    ]


def test_the_report_gives_every_figure_against_its_target():
    text = report(_measured(_run()), ["## Load test: two servers", "", "- Machine: test"])
    lines = text.splitlines()

    assert lines[:3] == ["## Load test: two servers", "", "- Machine: test"]
    assert lines[3] == (
        "- The stop: SIGTERM to s1's gunicorn 30 s after the first request; its workers"
        " finished their requests and it exited 0.4 s later. HAProxy marked it down about 2 s"
        " after the SIGTERM."
    )
    assert lines[7:17] == [
        "| Requests/s | 21.7 (130 requests) | | |",
        "| p50 / p95 / p99 | 20 / 60 / 90 ms | p95 < 250 ms | met |",
        "| Failed requests other than those in flight at the stop | 0 | 0 | met |",
        "| Failed requests in flight at the stop | 1 of 1 in flight | | |",
        "| Sessions that survived the stop | 2 of 2 users logged in before it (0 sent back to"
        " the login page, 0 without a page after it) | all | met |",
        "| The stopped server's exit | 0 after 0.4 s | 0 (graceful) | met |",
        "| HAProxy's view at the end | s1 DOWN (1× down, last check L4CON, 61 responses),"
        " s2 UP (0× down, last check L7OK, 69 responses) | s1 down, the other up | met |",
        "| Access log | 12 access-log rows for 12 note reads | one row per read | met |",
        "| Errors in the gunicorns' logs | 0 | 0 | met |",
        "",
    ]
    assert lines[17] == (
        "p95 of the requests sent in the 10 s after the stop: 75 ms. HAProxy tried 4"
        " connections again and sent 3 requests to the other server (4 and 3 for s1)."
    )
    assert "| **All requests** | 130 | 1 | 20 | 60 | 90 | 120 |" in lines
    assert lines[-3:] == [
        "Failed requests (1, the first 20):",
        "",
        "- GET `/` (peer#1, sent -0.20 s from the stop, 500 ms): HTTP 502",
    ]
    assert all(verdicts(_measured(_run())).values())


def test_a_server_marked_down_within_a_second_is_not_said_to_take_0_s():
    text = report(_measured(_run(), down_after=0.4), [])

    assert text.splitlines()[0].endswith("HAProxy marked it down within a second of the SIGTERM.")


def test_the_report_marks_each_missed_target():
    requests = [
        *_run(),
        _request("leader#1", start=STOP + 3, error=servers.SENT_TO_LOGIN),
        _request("peer#1", start=STOP + 4, error="no answer: ConnectionError()"),
    ]
    measured = _measured(
        requests,
        stats=[_stats_row("Aggregated", 130, 3, p95_ms="260", method="", per_second="20")],
        exit_code=-9,
        exited_after=40.0,
        states={
            "s1": ServerState("UP", "L7OK", 0, 90, 0, 0),
            "s2": ServerState("UP", "L7OK", 0, 90, 0, 0),
        },
        down_after=None,
        access=(False, "1 note reads failed: 11 rows for 11 reads is not exact"),
        logged=2,
    )

    text = report(measured, [])

    assert verdicts(measured) == {
        "p95": False,
        "failures": False,
        "sessions": False,
        "exit": False,
        "down": False,
        "access": False,
        "errors": False,
    }
    assert text.splitlines()[0] == (
        "- The stop: SIGTERM to s1's gunicorn 30 s after the first request; it did not exit"
        " cleanly (exit code -9) within 40 s. HAProxy did not mark it down."
    )
    assert "| Failed requests other than those in flight at the stop | 2 | 0 | **missed** |" in (
        text
    )
    assert (
        "| Sessions that survived the stop | 1 of 2 users logged in before it (1 sent back to"
        " the login page, 0 without a page after it) | all | **missed** |"
    ) in text
    assert text.count("**missed**") == 7


def test_an_access_log_without_a_verdict_misses_no_target():
    measured = _measured(_run(), access=(None, "not exact (in flight at the stop: not a verdict)"))

    assert verdicts(measured)["access"] is True
    assert (
        "| Access log | not exact (in flight at the stop: not a verdict) | one row per read"
        " | not counted |"
    ) in report(measured, [])
