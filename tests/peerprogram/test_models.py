import datetime

import pytest
from django.db import IntegrityError, transaction

from mentoring.models import Mentorship
from peerprogram.models import PeerWorker, hours_warning, yearly_cost_for_hours
from tests.factories import MentorshipFactory, PeerWorkerFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("hours", [0, 38, 40])
def test_database_refuses_peer_hours_outside_1_to_37(hours):
    with pytest.raises(IntegrityError), transaction.atomic():
        PeerWorkerFactory(hours_per_week=hours)


@pytest.mark.parametrize("hours", [1, 19, 20, 37])
def test_database_accepts_peer_hours_from_1_to_37(hours):
    assert PeerWorkerFactory(hours_per_week=hours).pk


def test_database_refuses_end_date_before_start_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        PeerWorkerFactory(start_date=datetime.date(2025, 5, 1), end_date=datetime.date(2025, 4, 30))


def test_database_refuses_two_active_mentorships_for_one_peer():
    first = MentorshipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Mentorship.objects.create(
            peer=first.peer, mentor=StaffMemberFactory(), start_date=datetime.date(2025, 1, 1)
        )


def test_an_ended_mentorship_leaves_room_for_a_new_one():
    first = MentorshipFactory()
    first.end_date = datetime.date(2025, 6, 1)
    first.end_reason = Mentorship.EndReason.NEW_MATCH
    first.save()
    second = Mentorship.objects.create(
        peer=first.peer, mentor=StaffMemberFactory(), start_date=datetime.date(2025, 6, 2)
    )
    assert list(Mentorship.objects.filter(end_date__isnull=True)) == [second]


def test_database_refuses_two_staff_members_with_the_same_email():
    StaffMemberFactory(email="a@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffMemberFactory(email="a@example.org")


def test_staff_email_is_stored_in_lower_case():
    assert StaffMemberFactory(email="Anne.Hansen@Example.ORG").email == "anne.hansen@example.org"


def test_yearly_cost_is_10115_kroner_per_weekly_hour():
    assert yearly_cost_for_hours(20) == 202_300
    assert yearly_cost_for_hours(30) == 303_450
    assert yearly_cost_for_hours(37) == 374_255


def test_yearly_cost_follows_the_rate_setting(settings):
    settings.PEER_COST_PER_WEEKLY_HOUR_DKK = 11_000
    assert PeerWorker(hours_per_week=10).yearly_cost == 110_000


def test_hours_under_20_give_a_warning_not_an_error():
    assert hours_warning(19).startswith("Under 20 timer om ugen anbefales ikke")
    assert hours_warning(20) == ""


def test_probation_ends_after_the_probation_months():
    peer = PeerWorker(start_date=datetime.date(2025, 11, 30), probation_months=3)
    assert peer.probation_end == datetime.date(2026, 2, 28)


def test_peer_status_follows_the_dates():
    peer = PeerWorker(start_date=datetime.date(2025, 1, 1), probation_months=3)
    assert peer.status(datetime.date(2024, 12, 31)) == "starting"
    assert peer.status(datetime.date(2025, 2, 1)) == "probation"
    assert peer.status(datetime.date(2025, 4, 1)) == "employed"
    peer.end_date = datetime.date(2025, 6, 30)
    assert peer.status(datetime.date(2025, 7, 1)) == "ended"
