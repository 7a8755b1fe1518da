import pytest
from django.urls import reverse

from tests.factories import MentorshipFactory, PeerWorkerFactory, StaffMemberFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_leader_home_shows_own_unit_staff_and_peers_with_employment_facts(client_for, cast):
    response = client_for("leader", "en").get(reverse("peerprogram:home"))
    content = response.content.decode()
    assert "Your unit: F-ACT Øst" in content
    assert "Pia Peer" in content and "Mads Mentor" in content
    assert "252,875 kr." in content  # 25 hours x 10,115 kr.
    assert "Per Anden" not in content and "F-ACT Vest" not in content


def test_centre_home_lists_every_active_unit_with_counts(client_for, cast):
    response = client_for("centre", "en").get(reverse("peerprogram:home"))
    units = [u.name for u in response.context["units"]]
    assert units == ["Center for Recovery og Samskabelse", "F-ACT Vest", "F-ACT Øst"]
    counts = {u.name: (u.staff_count, u.peer_count) for u in response.context["units"]}
    assert counts["F-ACT Øst"] == (3, 1)
    assert response.context["totals"] == {
        "units": 3,
        "peers_starting": 0,
        "peers": 2,
        "peers_under_recommended": 0,
        "peers_without_mentor": 1,
    }


def test_peer_home_shows_own_employment_and_mentor(client_for, cast):
    response = client_for("peer", "en").get(reverse("peerprogram:home"))
    content = response.content.decode()
    assert "Your employment as peer worker" in content
    assert "Mads Mentor" in content
    assert "Your unit:" not in content


def test_mentor_home_lists_mentees(client_for, cast):
    response = client_for("mentor", "en").get(reverse("peerprogram:home"))
    assert [h.mentorship.peer.name for h in response.context["mentees"]] == ["Pia Peer"]


def test_a_login_without_staff_record_is_told_what_to_do(client_for, cast, django_user_model):
    client = client_for("anonymous", "en")
    client.force_login(django_user_model.objects.create_user("newcomer", password="x"))
    response = client.get(reverse("peerprogram:home"))
    assert "Your login is not yet linked to a role in the programme." in response.content.decode()


def _grow(cast, units: int) -> None:
    for _ in range(units):
        unit = UnitFactory()
        mentor = StaffMemberFactory(unit=unit)
        for _ in range(3):
            MentorshipFactory(peer=PeerWorkerFactory(staff_member__unit=unit), mentor=mentor)
    for _ in range(units):
        MentorshipFactory(peer=PeerWorkerFactory(staff_member__unit=cast.unit), mentor=cast.mentor)


@pytest.mark.parametrize("size", [2, 20])
def test_home_pages_use_a_fixed_number_of_queries(
    client_for, cast, size, django_assert_max_num_queries
):
    _grow(cast, size)
    # The Centre's page lists cohorts and meetings; the peer's their coming schedule.
    for role, limit in [("leader", 15), ("centre", 15), ("admin", 15), ("peer", 15)]:
        client = client_for(role)
        with django_assert_max_num_queries(limit):
            assert client.get(reverse("peerprogram:home")).status_code == 200


@pytest.mark.parametrize("size", [2, 20])
def test_list_pages_use_a_fixed_number_of_queries(
    client_for, cast, size, django_assert_max_num_queries
):
    _grow(cast, size)
    client = client_for("centre")
    for name in ["peerprogram:unit_list", "peerprogram:staff_list", "peerprogram:peer_list"]:
        with django_assert_max_num_queries(14):
            assert client.get(reverse(name)).status_code == 200


def test_peers_who_have_not_started_are_counted_as_starting_not_employed(client_for, cast):
    import datetime

    from django.utils import timezone

    cast.other_peer.start_date = timezone.localdate() + datetime.timedelta(days=10)
    cast.other_peer.save()
    totals = client_for("centre").get(reverse("peerprogram:home")).context["totals"]
    assert (totals["peers"], totals["peers_starting"]) == (1, 1)


def test_ids_over_a_thousand_are_printed_without_separators_and_money_with(client_for, cast):
    UnitFactory(id=1740, name="Enhed 1740", leader=cast.leader)
    content = client_for("leader").get(reverse("peerprogram:home")).content.decode()
    assert "?unit=1740" in content
    assert "252.875 kr." in content
