"""Enrolment: seats and the waiting list, who may enrol when, the fee, external
participants, and the leader's enrol page."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from education import selectors, services
from education.models import Cohort, Enrolment
from peerprogram.models import StaffMember
from tests.factories import PeerWorkerFactory

from .factories import CohortFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _peer(cast, name, start_date=datetime.date(2024, 1, 1)):
    return PeerWorkerFactory(
        staff_member__name=name, staff_member__unit=cast.unit, start_date=start_date
    )


def _external(cohort, by, name="Eva Ekstern"):
    return services.enrol(
        cohort=cohort,
        by=by,
        external_name=name,
        external_organisation="Aalborg Kommune",
        external_contact="eva@example.org",
        centre=True,
    )


def _statuses(cohort):
    return [
        (e.participant_name, e.status)
        for e in cohort.enrolments.select_related("peer__staff_member").order_by("pk")
    ]


def test_beyond_the_last_seat_a_peer_goes_on_the_waiting_list(cast):
    cohort = CohortFactory(name="Hold 2027", capacity=2)
    by = cast.leader.user
    for name in ("Anna Andersen", "Bo Bech", "Carl Czech"):
        services.enrol(cohort=cohort, by=by, peer=_peer(cast, name))
    assert _statuses(cohort) == [
        ("Anna Andersen", "enrolled"),
        ("Bo Bech", "enrolled"),
        ("Carl Czech", "waiting"),
    ]
    waiting = cohort.enrolments.get(status="waiting")
    assert waiting.seat_since is None


def test_a_freed_seat_goes_to_the_regions_peer_before_an_external_who_asked_earlier(cast):
    cohort = CohortFactory(name="Hold 2027", capacity=1)
    seated = services.enrol(cohort=cohort, by=cast.centre.user, peer=_peer(cast, "Anna Andersen"))
    external = _external(cohort, cast.centre.user)
    later_peer = services.enrol(cohort=cohort, by=cast.leader.user, peer=_peer(cast, "Bo Bech"))
    assert external.requested_at <= later_peer.requested_at
    assert (external.status, later_peer.status) == ("waiting", "waiting")

    promoted = services.enrolment_cancel(enrolment=seated, by=cast.leader.user)

    assert promoted == [later_peer]
    assert _statuses(cohort) == [
        ("Anna Andersen", "cancelled"),
        ("Eva Ekstern", "waiting"),
        ("Bo Bech", "enrolled"),
    ]
    later_peer.refresh_from_db()
    assert later_peer.seat_since is not None


def test_a_peer_who_has_left_gets_no_seat_from_the_waiting_list(cast):
    cohort = CohortFactory(name="Hold 2027", capacity=1)
    by = cast.centre.user
    seated = services.enrol(cohort=cohort, by=by, peer=_peer(cast, "Anna Andersen"))
    leaver = _peer(cast, "Bo Bech")
    services.enrol(cohort=cohort, by=by, peer=leaver)
    external = _external(cohort, by)
    leaver.end_date = datetime.date(2025, 6, 30)
    leaver.save()

    promoted = services.enrolment_cancel(enrolment=seated, by=by)

    assert promoted == [external]
    assert ("Bo Bech", "waiting") in _statuses(cohort)


def test_more_seats_promote_from_the_waiting_list_at_once(cast):
    cohort = CohortFactory(name="Hold 2027", capacity=1)
    by = cast.centre.user
    services.enrol(cohort=cohort, by=by, peer=_peer(cast, "Anna Andersen"))
    _external(cohort, by)
    bo = services.enrol(cohort=cohort, by=by, peer=_peer(cast, "Bo Bech"))
    carl = services.enrol(cohort=cohort, by=by, peer=_peer(cast, "Carl Czech"))

    _cohort, promoted = services.cohort_update(
        cohort=cohort, by=by, expected_version=cohort.version, capacity=3
    )

    assert promoted == [bo, carl]
    assert _statuses(cohort) == [
        ("Anna Andersen", "enrolled"),
        ("Eva Ekstern", "waiting"),
        ("Bo Bech", "enrolled"),
        ("Carl Czech", "enrolled"),
    ]
    cohort.refresh_from_db()
    _cohort, promoted = services.cohort_update(
        cohort=cohort, by=by, expected_version=cohort.version, capacity=4
    )
    assert [e.participant_name for e in promoted] == ["Eva Ekstern"]


@pytest.mark.parametrize(
    ("status", "label"),
    [("planning", "planning"), ("running", "running"), ("completed", "completed")],
)
def test_a_leader_enrols_only_while_the_cohort_is_open(cast, status, label):
    cohort = CohortFactory(name="Hold 2027", status=status)
    with pytest.raises(ValidationError) as error:
        services.enrol(cohort=cohort, by=cast.leader.user, peer=cast.peer)
    assert error.value.messages == [f"Hold 2027 is {label}: nobody can be enrolled now."]
    assert not cohort.enrolments.exists()


@pytest.mark.parametrize("status", ["planning", "open", "running"])
def test_the_centre_also_enrols_while_the_cohort_is_planned_or_running(cast, status):
    cohort = CohortFactory(status=status)
    enrolment = services.enrol(cohort=cohort, by=cast.centre.user, peer=cast.peer, centre=True)
    assert enrolment.status == "enrolled"


def test_nobody_enrols_on_a_completed_cohort(cast):
    cohort = CohortFactory(name="Hold 2025", status=Cohort.Status.COMPLETED)
    with pytest.raises(ValidationError) as error:
        services.enrol(cohort=cohort, by=cast.centre.user, peer=cast.peer, centre=True)
    assert error.value.messages == ["Hold 2025 is completed: nobody can be enrolled now."]


def test_a_seat_on_a_completed_cohort_cannot_be_cancelled(cast):
    cohort = CohortFactory(name="Hold 2025")
    enrolment = services.enrol(cohort=cohort, by=cast.centre.user, peer=cast.peer)
    cohort.status = Cohort.Status.COMPLETED
    cohort.save(update_fields=["status"])
    with pytest.raises(ValidationError) as error:
        services.enrolment_cancel(enrolment=enrolment, by=cast.centre.user)
    assert error.value.messages == ["The cohort is completed; its participants stay on record."]


def test_a_peer_cannot_be_enrolled_twice_on_one_cohort(cast):
    cohort = CohortFactory(capacity=1)
    first = services.enrol(cohort=cohort, by=cast.leader.user, peer=cast.peer)
    with pytest.raises(ValidationError) as error:
        services.enrol(cohort=cohort, by=cast.leader.user, peer=cast.peer)
    assert error.value.messages == ["This peer worker is already on this cohort."]
    # Also not as a second place on the waiting list.
    assert cohort.enrolments.count() == 1
    services.enrolment_cancel(enrolment=first, by=cast.leader.user)
    again = services.enrol(cohort=cohort, by=cast.leader.user, peer=cast.peer)
    assert again.status == "enrolled"
    with pytest.raises(ValidationError) as error:
        services.enrolment_cancel(enrolment=first, by=cast.leader.user)
    assert error.value.messages == ["This enrolment is already cancelled."]


def test_a_peer_who_has_left_cannot_be_enrolled(cast):
    cast.peer.end_date = datetime.date(2025, 6, 30)
    cast.peer.save(update_fields=["end_date"])
    with pytest.raises(ValidationError) as error:
        services.enrol(cohort=CohortFactory(), by=cast.leader.user, peer=cast.peer)
    assert error.value.messages == ["Pia Peer is no longer employed."]


def test_the_fee_is_charged_to_the_peers_own_unit(cast):
    cohort = CohortFactory(fee_dkk=14_000)
    services.enrol(cohort=cohort, by=cast.centre.user, peer=cast.peer, centre=True)
    services.enrol(cohort=cohort, by=cast.centre.user, peer=_peer(cast, "Anna Andersen"))
    services.enrol(cohort=cohort, by=cast.centre.user, peer=cast.other_peer)
    _external(cohort, cast.centre.user)
    assert {e.participant_name: e.paying_unit for e in cohort.enrolments.all()} == {
        "Pia Peer": cast.unit,
        "Anna Andersen": cast.unit,
        "Per Anden": cast.other_unit,
        "Eva Ekstern": None,
    }
    fees = selectors.fees(cohort, list(selectors.cohort_enrolments(cohort)))
    assert [(f.payer, f.participants, f.total) for f in fees] == [
        ("Aalborg Kommune", 1, 14_000),
        ("F-ACT Vest", 1, 14_000),
        ("F-ACT Øst", 2, 28_000),
    ]


def test_an_external_participant_is_data_without_a_login(cast):
    users, staff = get_user_model().objects.count(), StaffMember.objects.count()
    enrolment = _external(CohortFactory(), cast.centre.user)
    enrolment.refresh_from_db()
    assert (enrolment.peer, enrolment.paying_unit, enrolment.status) == (None, None, "enrolled")
    assert (enrolment.participant_name, enrolment.organisation, enrolment.is_external) == (
        "Eva Ekstern",
        "Aalborg Kommune",
        True,
    )
    assert (get_user_model().objects.count(), StaffMember.objects.count()) == (users, staff)


def test_hired_late_means_less_than_three_months_before_the_cohort_starts(cast):
    cohort = CohortFactory(start_date=datetime.date(2027, 3, 1))
    on_time = _peer(cast, "Anna Andersen", start_date=datetime.date(2026, 12, 1))
    late = _peer(cast, "Bo Bech", start_date=datetime.date(2026, 12, 2))
    assert selectors.hired_late(on_time, cohort) is False
    assert selectors.hired_late(late, cohort) is True
    assert selectors.hired_late(cast.peer, cohort) is False


# The enrol page -------------------------------------------------------------------------


def test_the_leaders_enrol_page_lists_only_their_own_units_peers(client_for, cast):
    _peer(cast, "Anna Andersen")
    cohort = CohortFactory()
    response = client_for("leader", "en").get(reverse("education:enrol", args=[cohort.pk]))
    assert [p.name for p, _late, _deadline in response.context["candidates"]] == [
        "Anna Andersen",
        "Pia Peer",
    ]
    assert "Per Anden" not in response.content.decode()


def test_a_leader_cannot_enrol_another_units_peer(client_for, cast):
    cohort = CohortFactory()
    response = client_for("leader", "en").post(
        reverse("education:enrol", args=[cohort.pk]), {"peer": cast.other_peer.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "peer": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("role", ["peer", "mentor"])
def test_peers_and_mentors_may_not_open_the_enrol_page(client_for, cast, role):
    cohort = CohortFactory()
    client = client_for(role, "en")
    assert client.get(reverse("education:enrol", args=[cohort.pk])).status_code == 403
    response = client.post(reverse("education:enrol", args=[cohort.pk]), {"peer": cast.peer.pk})
    assert response.status_code == 403
    assert not Enrolment.objects.exists()


def test_enrolling_a_peer_hired_late_warns_the_leader(client_for, cast):
    cohort = CohortFactory(name="Hold 2027", start_date=datetime.date(2027, 3, 1))
    late = _peer(cast, "Bo Bech", start_date=datetime.date(2027, 1, 15))
    response = client_for("leader", "en").post(
        reverse("education:enrol", args=[cohort.pk]), {"peer": late.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == cohort.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Bo Bech has a seat on Hold 2027.",
        "The fee of 14.000 DKK is charged to the operating budget of F-ACT Øst.",
        "Bo Bech starts less than three months before the cohort does. The guide recommends "
        "at least three months in the job first; consider the next cohort if it still falls "
        "within the first year.",
    ]
    enrolment = Enrolment.objects.get()
    assert (enrolment.peer, enrolment.status, enrolment.enrolled_by) == (
        late,
        "enrolled",
        cast.leader.user,
    )


def test_enrolling_on_a_full_cohort_through_the_page_says_waiting_list(client_for, cast):
    cohort = CohortFactory(name="Hold 2027", capacity=1)
    services.enrol(cohort=cohort, by=cast.centre.user, peer=_peer(cast, "Anna Andersen"))
    response = client_for("leader", "en").post(
        reverse("education:enrol", args=[cohort.pk]), {"peer": cast.peer.pk}
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Hold 2027 is full: Pia Peer is on the waiting list and gets a seat automatically "
        "when one frees up.",
        "The fee of 14.000 DKK is charged to the operating budget of F-ACT Øst.",
    ]
    assert cohort.enrolments.get(peer=cast.peer).status == "waiting"
