"""The signals to a unit's leader and the Centre (programme/signals.py), each rule tested
at its edge: just below and just at or above the threshold, from rows written through the
ORM and the services. Then acknowledging a signal, the unit's page and the programme's
health page."""

import datetime
import io
import re

import openpyxl
import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from education.models import Meeting, MeetingAttendance
from employment.models import OutsideTask
from employment.selectors import week_of
from journal.models import PeerMonth, Referral
from journal.selectors import flow_window
from peerprogram.models import AuditEvent, PeerWorker
from programme import services
from programme.models import SignalAck, SignalKind
from programme.signals import EXPLANATIONS, facts_of
from tests.education.factories import SupervisionFactory
from tests.factories import PeerWorkerFactory

from .helpers import (
    agreed_description,
    erfa_attended,
    kinds,
    local,
    of,
    record,
    referral,
    today,
    window_days,
)

pytestmark = pytest.mark.django_db

DRIFT, ALONE, FEW, MANY = SignalKind.DRIFT, SignalKind.ALONE, "few_referrals", "many_referrals"
WAITING, ISOLATION, SHORT = SignalKind.WAITING, SignalKind.ISOLATION, SignalKind.SHORT


# Peer drift by activity ---------------------------------------------------------------
# 14 hours a week described: half is 7 hours a week, 60 minutes a day of the window.


def _half_of_fourteen(cast):
    agreed_description(cast.peer, hours_conversations=10, hours_groups=4)
    return 60 * window_days(today())


def test_activity_at_exactly_half_the_described_hours_is_no_drift(cast):
    record(cast.peer, minutes=_half_of_fourteen(cast))
    assert DRIFT not in kinds(cast.peer)


def test_activity_an_hour_below_half_the_described_hours_over_three_months_is_drift(cast):
    record(cast.peer, minutes=_half_of_fourteen(cast) - 60)
    signal = of(cast.peer)[DRIFT]
    first, _end = flow_window(today())
    assert signal.since == first
    # The hours a week recorded and described.
    assert re.search(r"\b6[.,]9\b.*\b14\b", signal.detail), signal.detail
    assert not signal.exposed


def test_activity_a_minute_below_half_the_described_hours_is_drift(cast):
    record(cast.peer, minutes=_half_of_fourteen(cast) - 1)
    assert DRIFT in kinds(cast.peer)


def test_no_activity_drift_without_an_agreed_description(cast):
    # None at all, then only a draft (agreed by the leader only): no described hours.
    record(cast.peer, minutes=0)
    assert DRIFT not in kinds(cast.peer)
    agreed_description(cast.peer, agreed=False, hours_conversations=20)
    assert DRIFT not in kinds(cast.peer)


def test_the_newest_agreed_revision_sets_the_described_hours(cast):
    agreed_description(cast.peer, number=1, hours_conversations=30)
    agreed_description(cast.peer, number=2, hours_conversations=10, hours_groups=4)
    record(cast.peer, minutes=60 * window_days(today()))  # 7 hours a week: half of 14
    assert DRIFT not in kinds(cast.peer)


def test_minutes_outside_the_three_complete_months_do_not_count(cast):
    minutes = _half_of_fourteen(cast)
    record(cast.peer, minutes=minutes - 60)
    first, end = flow_window(today())
    # The month under way and the month before the window are not counted.
    PeerMonth.objects.create(peer=cast.peer, month=end, minutes=10_000)
    PeerMonth.objects.create(peer=cast.peer, month=first - relativedelta(months=1), minutes=10_000)
    assert DRIFT in kinds(cast.peer)


def test_activity_drift_only_for_peer_workers_employed_through_the_three_months(cast):
    agreed_description(cast.peer, hours_conversations=14)
    first, _end = flow_window(today())
    # Started the first day of the window: employed through it, nothing recorded.
    cast.peer.start_date = first
    cast.peer.save()
    assert DRIFT in kinds(cast.peer)
    # Started a day later: not through the window, no activity-based signal.
    cast.peer.start_date = first + datetime.timedelta(days=1)
    cast.peer.save()
    assert DRIFT not in kinds(cast.peer)


# Peer drift by tasks outside the description ------------------------------------------
# 20 hours a week, two weeks logged: 40 hours, a quarter is 10.


def _outside(peer, hours_by_week: dict[int, int], kind="care"):
    """Hours logged outside the description, by weeks back from this week."""
    for back, hours in hours_by_week.items():
        OutsideTask.objects.create(
            peer=peer,
            week=week_of(today()) - datetime.timedelta(weeks=back),
            kind=kind,
            hours=hours,
        )


@pytest.fixture
def twenty_hours(cast):
    cast.peer.hours_per_week = 20
    cast.peer.save()
    return cast.peer


def test_outside_tasks_at_exactly_a_quarter_of_the_contracted_hours_are_no_drift(twenty_hours):
    _outside(twenty_hours, {0: 6, 1: 4})
    assert DRIFT not in kinds(twenty_hours)


def test_outside_tasks_above_a_quarter_of_the_contracted_hours_are_drift(twenty_hours):
    _outside(twenty_hours, {0: 6, 1: 5})
    signal = of(twenty_hours)[DRIFT]
    assert "11" in signal.detail and "28" in signal.detail  # hours, per cent
    assert not signal.exposed


def test_several_entries_of_a_week_add_up_and_count_the_week_once(twenty_hours):
    # Two entries in one week: 11 hours of 20, and a week with 0 logged is not a week.
    _outside(twenty_hours, {0: 6})
    _outside(twenty_hours, {0: 5}, kind="admin")
    signal = of(twenty_hours)[DRIFT]
    assert "55" in signal.detail


def test_only_the_last_13_weeks_of_the_log_count(twenty_hours):
    _outside(twenty_hours, {0: 5, 12: 5})  # 10 of 40: the edge
    _outside(twenty_hours, {13: 60})  # the 14th week back is not counted
    assert DRIFT not in kinds(twenty_hours)
    _outside(twenty_hours, {12: 1}, kind="admin")  # the 13th week back is
    assert DRIFT in kinds(twenty_hours)


def test_a_peer_worker_with_an_earlier_health_profession_is_marked_more_exposed(twenty_hours):
    twenty_hours.earlier_profession = "Social- og sundhedsassistent"
    twenty_hours.save()
    _outside(twenty_hours, {0: 11})
    assert of(twenty_hours)[DRIFT].exposed


def test_outside_tasks_a_fraction_of_a_per_cent_above_a_quarter_are_drift(cast):
    cast.peer.hours_per_week = 37
    cast.peer.save()
    # 13 weeks of 37 hours: 481 hours; a quarter is 120.25.
    _outside(cast.peer, dict.fromkeys(range(13), 9))  # 117
    _outside(cast.peer, dict.fromkeys(range(4), 1), kind="admin")  # 121
    assert DRIFT in kinds(cast.peer)


# Alone at the workplace -----------------------------------------------------------------


def test_the_only_peer_worker_employed_in_a_unit_is_alone(cast):
    signal = of(cast.peer)[ALONE]
    assert cast.unit.name in signal.detail
    assert signal.since is None


def test_a_second_peer_worker_employed_in_the_unit_ends_it(cast):
    second = PeerWorkerFactory(staff_member__unit=cast.unit)
    assert ALONE not in kinds(cast.peer)
    assert ALONE not in kinds(second)
    # The other unit's peer worker is still alone there.
    assert ALONE in kinds(cast.other_peer)


def test_a_peer_worker_who_ends_today_still_counts_one_who_ended_yesterday_not(cast):
    second = PeerWorkerFactory(staff_member__unit=cast.unit, end_date=today())
    assert ALONE not in kinds(cast.peer)
    second.end_date = today() - datetime.timedelta(days=1)
    second.save()
    assert ALONE in kinds(cast.peer)


def test_a_peer_worker_yet_to_start_does_not_count(cast):
    PeerWorkerFactory(staff_member__unit=cast.unit, start_date=today() + datetime.timedelta(days=1))
    assert ALONE in kinds(cast.peer)


# Referral flow -------------------------------------------------------------------------
# Four peer workers of 25 hours a week employed through the window (the programme); the
# cast's peer worker against the programme's referrals per hour. Each rule is run on a
# day of each length of window (89 to 92 days): the rate depends on the number of weeks.

WINDOWS = {
    89: datetime.date(2025, 5, 15),  # February to April
    90: datetime.date(2025, 3, 15),  # December to February
    91: datetime.date(2025, 12, 15),  # September to November
    92: datetime.date(2026, 1, 15),  # October to December
}


def _programme(cast, day, own: int, others: list[int]):
    """The cast's peer worker receives `own` referrals, three more (the other unit's and
    two of new units) `others`."""
    assert len(others) == 3
    peers = [cast.other_peer, PeerWorkerFactory(), PeerWorkerFactory()]
    for peer, n in zip(peers, others, strict=True):
        record(peer, day, referrals=n)
    record(cast.peer, day, referrals=own)
    return cast.peer


@pytest.fixture(params=sorted(WINDOWS), ids=lambda days: f"{days}-days")
def window_day(request):
    day = WINDOWS[request.param]
    assert window_days(day) == request.param
    return day


def test_referrals_at_exactly_half_the_programme_rate_are_not_too_few(cast, window_day):
    # 16 referrals of 100 hours a week; 2 of 25 hours is exactly half.
    peer = _programme(cast, window_day, own=2, others=[4, 5, 5])
    assert not kinds(peer, window_day) & {FEW, MANY}


def test_referrals_just_below_half_the_programme_rate_are_too_few(cast, window_day):
    # 17 of 100 hours: half is 2.125 for 25 hours; 2 is below.
    peer = _programme(cast, window_day, own=2, others=[4, 5, 6])
    signal = of(peer, window_day)[FEW]
    assert signal.detail.startswith("2 ")
    assert MANY not in kinds(peer, window_day)


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(WINDOWS[89], id="89-days"),
        pytest.param(WINDOWS[90], id="90-days"),
        pytest.param(WINDOWS[91], id="91-days"),
        pytest.param(WINDOWS[92], id="92-days"),
    ],
)
def test_referrals_at_exactly_one_and_a_half_times_the_programme_rate_are_not_too_many(cast, day):
    # 16 of 100 hours; 6 of 25 hours is exactly 1.5 times.
    peer = _programme(cast, day, own=6, others=[3, 3, 4])
    assert not kinds(peer, day) & {FEW, MANY}


def test_referrals_just_above_one_and_a_half_times_the_programme_rate_are_too_many(
    cast, window_day
):
    # 15 of 100 hours: 1.5 times is 5.625 for 25 hours; 6 is above.
    peer = _programme(cast, window_day, own=6, others=[3, 3, 3])
    assert MANY in kinds(peer, window_day)
    assert FEW not in kinds(peer, window_day)


def test_a_peer_worker_not_employed_through_the_window_is_neither_compared_nor_counted(cast):
    day = WINDOWS[91]
    first, _end = flow_window(day)
    late = PeerWorkerFactory(start_date=first + datetime.timedelta(days=1))
    record(late, day, referrals=90)  # would make everyone else too few if counted
    peer = _programme(cast, day, own=2, others=[4, 5, 5])
    assert not kinds(peer, day) & {FEW, MANY}
    assert not kinds(late, day) & {FEW, MANY}


def test_no_referral_flow_signal_without_referrals_in_the_programme(cast):
    peer = _programme(cast, WINDOWS[91], own=0, others=[0, 0, 0])
    assert not kinds(peer, WINDOWS[91]) & {FEW, MANY}


# Referrals waiting ----------------------------------------------------------------------


def test_a_referral_made_15_days_ago_and_still_waiting_is_a_signal(cast):
    made = today() - datetime.timedelta(days=15)
    referral(cast, local(made, 23, 59))
    signal = of(cast.peer)[WAITING]
    assert signal.since == made
    assert signal.detail.startswith("1 ")


def test_a_referral_made_14_days_ago_is_not_yet_waiting_too_long(cast):
    referral(cast, local(today() - datetime.timedelta(days=14)))  # at midnight
    referral(cast, local(today() - datetime.timedelta(days=13), 12), n=2)
    assert WAITING not in kinds(cast.peer)


def test_an_answered_referral_is_not_waiting(cast):
    referral(cast, local(today() - datetime.timedelta(days=40)), status=Referral.Status.ACCEPTED)
    assert WAITING not in kinds(cast.peer)


def test_waiting_referrals_are_counted_and_dated_by_the_oldest(cast):
    oldest = today() - datetime.timedelta(days=30)
    referral(cast, local(today() - datetime.timedelta(days=20), 9), n=1)
    referral(cast, local(oldest, 9), n=2)
    signal = of(cast.peer)[WAITING]
    assert signal.since == oldest
    assert signal.detail.startswith("2 ")


# Away from the peer community -------------------------------------------------------------


def _three_months_ago():
    return today() - relativedelta(months=3)


def test_no_erfa_meeting_in_three_months_is_isolation(cast):
    erfa_attended(cast.peer, _three_months_ago() - datetime.timedelta(days=1))
    signal = of(cast.peer)[ISOLATION]
    assert signal.since == _three_months_ago() - datetime.timedelta(days=1)


def test_an_erfa_meeting_exactly_three_months_ago_is_recent_enough(cast):
    erfa_attended(cast.peer, _three_months_ago(), kind=Meeting.Kind.EXTERNAL)
    assert ISOLATION not in kinds(cast.peer)


def test_an_erfa_meeting_two_months_ago_is_recent_enough(cast):
    erfa_attended(cast.peer, today() - relativedelta(months=2))
    assert ISOLATION not in kinds(cast.peer)


def test_supervision_is_not_an_erfa_meeting(cast):
    supervision = SupervisionFactory(
        starts_at=local(today() - datetime.timedelta(days=7), 13),
        participants=[cast.peer],
    )
    MeetingAttendance.objects.create(meeting=supervision, person=cast.peer.staff_member)
    assert ISOLATION in kinds(cast.peer)


def test_isolation_only_for_peer_workers_employed_three_months(cast):
    cast.peer.start_date = _three_months_ago()
    cast.peer.save()
    signal = of(cast.peer)[ISOLATION]
    assert signal.since == cast.peer.start_date  # none attended since the start
    cast.peer.start_date = _three_months_ago() + datetime.timedelta(days=1)
    cast.peer.save()
    assert ISOLATION not in kinds(cast.peer)
    cast.peer.start_date = today() - relativedelta(months=2)
    cast.peer.save()
    assert ISOLATION not in kinds(cast.peer)


# A short employment -------------------------------------------------------------------


def _ended(cast, start, end, reason="health", **more):
    return PeerWorkerFactory(
        staff_member__unit=cast.unit,
        staff_member__name="Erik Endt",
        start_date=start,
        end_date=end,
        end_reason=reason,
        **more,
    )


def test_an_employment_ended_after_six_months_two_months_ago_is_short(cast):
    end = today() - relativedelta(months=2)
    ended = _ended(cast, end - relativedelta(months=6), end)
    signal = of(ended)[SHORT]
    assert signal.since == end
    assert str(PeerWorker.EndReason.HEALTH.label) in signal.detail
    assert "6" in signal.detail
    # Only that: an ended employment has no other signal, and does not keep the unit's
    # peer worker company.
    assert kinds(ended) == {SHORT}
    assert ALONE in kinds(cast.peer)


def test_a_short_employment_without_a_reason_says_so(cast):
    end = today() - relativedelta(months=2)
    ended = _ended(cast, end - relativedelta(months=6), end, reason="")
    assert of(ended)[SHORT].detail.endswith(": " + gettext("not given") + ".")


def test_an_employment_ended_on_its_364th_day_is_short_on_its_365th_not(cast):
    end = today() - relativedelta(months=2)
    ended = _ended(cast, end - datetime.timedelta(days=364), end)
    assert SHORT in kinds(ended)
    ended.start_date = end - datetime.timedelta(days=365)
    ended.save()
    assert SHORT not in kinds(ended)


def test_an_employment_ended_after_thirteen_months_is_not_short(cast):
    end = today() - relativedelta(months=2)
    ended = _ended(cast, end - relativedelta(months=13), end)
    assert ended.pk in {p.pk for p in facts_of(PeerWorker.objects.all(), today())}
    assert kinds(ended) == set()


def test_an_employment_ended_twelve_months_ago_is_shown_fourteen_months_ago_not(cast):
    end = today() - relativedelta(months=12)
    ended = _ended(cast, end - relativedelta(months=6), end)
    assert SHORT in kinds(ended)
    ended.end_date = end - datetime.timedelta(days=1)
    ended.save()
    assert SHORT not in kinds(ended)
    ended.end_date = today() - relativedelta(months=14)
    ended.start_date = ended.end_date - relativedelta(months=6)
    ended.save()
    assert ended.pk not in {p.pk for p in facts_of(PeerWorker.objects.all(), today())}
    assert SHORT not in kinds(ended)


# Acknowledging a signal ------------------------------------------------------------------


def test_an_acknowledged_signal_is_quiet_for_30_days_then_back(cast):
    ack = services.signal_acknowledge(
        peer=cast.peer, kind=ALONE, comment="Buddy aftalt i F-ACT Vest", by=cast.leader.user
    )
    assert ack.until == today() + datetime.timedelta(days=30)
    assert AuditEvent.objects.get(action="signal_acknowledge").summary == ALONE
    now = of(cast.peer)
    assert now[ALONE].acknowledged
    assert not now[ISOLATION].acknowledged  # only the kind acknowledged
    assert not of(cast.other_peer)[ALONE].acknowledged  # only the peer worker's
    assert of(cast.peer, today() + datetime.timedelta(days=30))[ALONE].acknowledged
    later = of(cast.peer, today() + datetime.timedelta(days=31))
    assert not later[ALONE].acknowledged  # the situation persists: it is back


def test_an_acknowledgement_needs_a_comment_and_a_known_kind(cast):
    with pytest.raises(ValidationError) as error:
        services.signal_acknowledge(peer=cast.peer, kind=ALONE, comment="", by=cast.leader.user)
    assert "comment" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.signal_acknowledge(
            peer=cast.peer, kind="nonsense", comment="Set", by=cast.leader.user
        )
    assert "kind" in error.value.message_dict
    assert not SignalAck.objects.exists()


# The unit's page and acknowledging there ---------------------------------------------------


def _ack_url(cast, kind=ALONE):
    return reverse("programme:signal_ack", args=[cast.peer.pk, kind])


def test_the_leader_sees_the_acknowledgement_form(client_for, cast):
    response = client_for("leader").get(_ack_url(cast))
    assert response.status_code == 200
    assert response.context["signal"].kind == ALONE
    assert 'name="comment"' in response.content.decode()


def test_an_acknowledgement_without_a_comment_is_refused_and_keeps_nothing(client_for, cast):
    response = client_for("leader").post(_ack_url(cast), {"comment": "  "})
    assert response.status_code == 200
    assert "comment" in response.context["form"].errors
    assert not SignalAck.objects.exists()


def test_the_leader_acknowledges_a_signal_with_a_comment(client_for, cast):
    response = client_for("leader").post(_ack_url(cast), {"comment": "Buddy aftalt"})
    assert response.status_code == 302
    assert response.url == (
        reverse("programme:unit", args=[cast.unit.pk]) + f"#signal-alone-{cast.peer.pk}"
    )
    ack = SignalAck.objects.get()
    assert (ack.peer, ack.kind, ack.comment, ack.by) == (
        cast.peer,
        ALONE,
        "Buddy aftalt",
        cast.leader.user,
    )
    assert ack.until == today() + datetime.timedelta(days=30)
    assert of(cast.peer)[ALONE].acknowledged


def test_the_centre_acknowledges_a_signal_too(client_for, cast):
    response = client_for("centre").post(_ack_url(cast), {"comment": "Set af Centret"})
    assert response.status_code == 302
    assert SignalAck.objects.get().by == cast.centre.user


@pytest.mark.parametrize("role", ["mentor", "peer", "outsider"])
def test_only_the_leader_and_the_centre_acknowledge(client_for, cast, role):
    client = client_for(role)
    assert client.get(_ack_url(cast)).status_code == 404
    assert client.post(_ack_url(cast), {"comment": "Set"}).status_code == 404
    assert not SignalAck.objects.exists()


def test_a_signal_that_is_not_there_cannot_be_acknowledged(client_for, cast):
    client = client_for("leader")
    for kind in [DRIFT, "nonsense"]:
        assert client.get(_ack_url(cast, kind)).status_code == 404
        assert client.post(_ack_url(cast, kind), {"comment": "Set"}).status_code == 404
    assert not SignalAck.objects.exists()


def test_the_unit_page_lists_each_signal_with_its_explanation(client_for, cast):
    response = client_for("leader").get(reverse("programme:unit", args=[cast.unit.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for kind in [ALONE, ISOLATION]:
        assert escape(str(SignalKind(kind).label)) in page
        assert escape(str(EXPLANATIONS[kind].why)) in page
        assert escape(str(EXPLANATIONS[kind].advice)) in page
        assert f'id="signal-{kind}-{cast.peer.pk}"' in page
        assert _ack_url(cast, kind) in page
    # The other unit's peer worker is not on it.
    assert "Per Anden" not in page


def test_the_unit_page_in_english(client_for, cast):
    response = client_for("leader", "en").get(reverse("programme:unit", args=[cast.unit.pk]))
    page = response.content.decode()
    assert "Alone at the workplace" in page
    assert escape(str(EXPLANATIONS[ALONE].guide)) in page


@pytest.mark.parametrize("role", ["outsider", "mentor", "peer"])
def test_the_unit_page_shows_nothing_to_others(client_for, cast, role):
    response = client_for(role).get(reverse("programme:unit", args=[cast.unit.pk]))
    assert response.status_code == 404
    page = response.content.decode()
    assert 'id="signal-' not in page
    assert escape(str(EXPLANATIONS[ALONE].why)) not in page


# The programme's health ----------------------------------------------------------------


def _health(client, **query):
    response = client.get(reverse("programme:health"), query)
    assert response.status_code == 200
    return response


def test_the_health_page_has_a_row_per_unit(client_for, cast):
    rows = _health(client_for("centre")).context["rows"]
    names = [r.unit.name for r in rows]
    assert {cast.unit.name, cast.other_unit.name, cast.centre_unit.name} <= set(names)
    assert len(names) == len(set(names))
    row = next(r for r in rows if r.unit == cast.unit)
    assert (row.employed, row.alone, row.erfa) == (1, True, 1)


def test_the_health_page_sorts_the_units_needing_most_first(client_for, cast):
    # The leader's unit gets a waiting referral and drift on top of being alone.
    referral(cast, local(today() - datetime.timedelta(days=20), 9))
    cast.peer.hours_per_week = 20
    cast.peer.save()
    _outside(cast.peer, {0: 20})
    client = client_for("centre")
    by_name = [r.unit for r in _health(client).context["rows"]]
    rows = _health(client, sort="attention").context["rows"]
    attention = [r.attention for r in rows]
    assert attention == sorted(attention, reverse=True)
    assert rows[0].unit == cast.unit
    assert by_name.index(cast.unit) > by_name.index(cast.other_unit)  # Ø after V by name
    assert rows[0].attention > rows[1].attention


def test_the_health_page_keeps_only_the_units_with_a_signal(client_for, cast):
    PeerWorkerFactory(staff_member__unit=cast.other_unit)  # not alone there
    client = client_for("centre")
    rows = _health(client, signal="alone").context["rows"]
    assert [r.unit for r in rows] == [cast.unit]
    # An acknowledged signal does not keep a unit in.
    services.signal_acknowledge(peer=cast.peer, kind=ALONE, comment="Buddy", by=cast.centre.user)
    assert _health(client, signal="alone").context["rows"] == []


def test_the_health_page_exports_xlsx(client_for, cast):
    response = client_for("centre").get(reverse("programme:health_xlsx"), {"signal": "alone"})
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    units = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(units) == sorted([cast.unit.name, cast.other_unit.name])


@pytest.mark.parametrize("role", ["leader", "mentor", "peer", "outsider"])
def test_the_health_page_is_the_centres(client_for, cast, role):
    client = client_for(role)
    assert client.get(reverse("programme:health")).status_code == 403
    assert client.get(reverse("programme:health_xlsx")).status_code == 403
