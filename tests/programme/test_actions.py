"""The leader's and the Centre's action lists (programme/actions.py), lightly: the kinds
of line each app adds, the signals not acknowledged, the order."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from education import selectors as education_selectors
from peerprogram.models import PeerWorker
from programme import actions, services
from programme.signals import facts_of, signals_of
from recruitment import selectors as recruitment_selectors
from tests.factories import PeerWorkerFactory

from .helpers import local, referral, today

pytestmark = pytest.mark.django_db


def _leader_list(cast, day=None):
    day = day or today()
    facts = facts_of(PeerWorker.objects.filter(staff_member__unit=cast.unit), day)
    overview = recruitment_selectors.leader_overview([cast.unit.pk])
    return actions.leader_list(facts, signals_of(facts, day), overview, day)


def test_the_leaders_list_gathers_every_apps_lines_and_the_signals(cast):
    listed = _leader_list(cast)
    kinds = {a.kind for a in listed.items}
    # The employment, mentoring and education apps' lines, and the signals.
    assert {
        "function_missing",
        "talk_follow_up",
        "talk_mus",
        "mentoring_quiet",
        "supervision_gap",
        "signal_alone",
        "signal_isolation",
    } <= kinds
    assert {a.whom for a in listed.items} == {"Pia Peer"}
    alone = next(a for a in listed.items if a.kind == "signal_alone")
    assert alone.url == (
        reverse("programme:unit", args=[cast.unit.pk]) + f"#signal-alone-{cast.peer.pk}"
    )
    # Overdue first, by day; the lines without a day are due now and come last.
    days = [a.day or today() for a in listed.items]
    assert days == sorted(days)
    assert bool(listed)


def test_a_waiting_referral_is_a_line_dated_the_day_it_was_made(cast):
    made = today() - datetime.timedelta(days=20)
    referral(cast, local(made, 10))
    waiting = next(a for a in _leader_list(cast).items if a.kind == "signal_waiting")
    assert waiting.day == made


def test_an_acknowledged_signal_leaves_the_list_for_30_days(cast):
    services.signal_acknowledge(
        peer=cast.peer, kind="alone", comment="Buddy aftalt", by=cast.leader.user
    )
    kinds = {a.kind for a in _leader_list(cast).items}
    assert "signal_alone" not in kinds
    assert "signal_isolation" in kinds
    later = today() + datetime.timedelta(days=31)
    assert "signal_alone" in {a.kind for a in _leader_list(cast, later).items}


def test_an_ended_peer_worker_brings_only_the_short_employment(cast):
    end = today() - relativedelta(months=2)
    ended = PeerWorkerFactory(
        staff_member__unit=cast.unit,
        staff_member__name="Erik Endt",
        start_date=end - relativedelta(months=5),
        end_date=end,
        end_reason="new_job",
    )
    theirs = [a for a in _leader_list(cast).items if a.whom == ended.name]
    assert [a.kind for a in theirs] == ["signal_short"]


def test_the_centres_list_has_a_line_per_signal_with_peer_workers(cast):
    listed = actions.centre_list(
        education_selectors.centre_overview(), {"alone": 2, "drift": 0}, 1, today()
    )
    by_kind = {a.kind: a for a in listed.items}
    assert "signal_drift" not in by_kind
    assert by_kind["signal_alone"].url == reverse("programme:health") + "?signal=alone"
    assert "2" in by_kind["signal_alone"].text
    assert by_kind["onboarding_overdue"].url == reverse("programme:health") + "?sort=onboarding"
