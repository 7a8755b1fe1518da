import datetime

import pytest
from django.urls import reverse

from peerprogram.models import PeerWorker
from tests.factories import PeerWorkerFactory

pytestmark = pytest.mark.django_db


def _data(cast, **overrides):
    data = {
        "person-name": "Nora Nielsen",
        "person-email": "nora@example.org",
        "person-phone": "",
        "person-unit": cast.unit.pk,
        "person-version": 1,
        "employment-start_date": "2026-12-01",
        "employment-end_date": "",
        "employment-hours_per_week": "25",
        "employment-employment_form": "permanent",
        "employment-probation_months": "3",
        "employment-version": 1,
    }
    data.update(overrides)
    return data


def test_leader_registers_a_peer_worker(client_for, cast):
    response = client_for("leader").post(reverse("peerprogram:peer_create"), _data(cast))
    peer = PeerWorker.objects.get(staff_member__email="nora@example.org")
    assert response["Location"] == peer.get_absolute_url()
    assert (peer.start_date, peer.hours_per_week, peer.unit) == (
        datetime.date(2026, 12, 1),
        25,
        cast.unit,
    )


def test_low_hours_are_saved_with_a_warning(client_for, cast):
    client = client_for("leader", "en")
    response = client.post(
        reverse("peerprogram:peer_create"),
        _data(cast, **{"employment-hours_per_week": "15"}),
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "Nora Nielsen was registered as peer worker.",
        "Fewer than 20 hours a week is not recommended: with so few hours it is hard for the "
        "peer worker to become part of the team.",
    ]


@pytest.mark.parametrize("hours", ["0", "38"])
def test_hours_outside_1_to_37_are_refused_in_danish_and_nothing_is_lost(client_for, cast, hours):
    response = client_for("leader").post(
        reverse("peerprogram:peer_create"), _data(cast, **{"employment-hours_per_week": hours})
    )
    assert response.status_code == 200
    assert response.context["employment"].errors["hours_per_week"] == [
        "Antal timer om ugen skal være mellem 1 og 37."
    ]
    assert 'value="Nora Nielsen"' in response.content.decode()
    assert not PeerWorker.objects.filter(staff_member__email="nora@example.org").exists()


def test_end_before_start_is_refused_on_the_end_date(client_for, cast):
    response = client_for("leader", "en").post(
        reverse("peerprogram:peer_create"),
        _data(cast, **{"employment-end_date": "2026-11-30"}),
    )
    assert response.context["employment"].errors["end_date"] == [
        "The end date cannot be before the start date."
    ]


def test_leader_edits_employment_facts(client_for, cast):
    url = reverse("peerprogram:peer_edit", args=[cast.peer.pk])
    response = client_for("leader").post(
        url,
        {
            "start_date": "2024-01-01",
            "end_date": "",
            "hours_per_week": "30",
            "employment_form": "flex_job",
            "probation_months": "3",
            "version": cast.peer.version,
        },
    )
    assert response.status_code == 302
    cast.peer.refresh_from_db()
    assert (cast.peer.hours_per_week, cast.peer.employment_form) == (30, "flex_job")


def test_peer_page_shows_facts_and_mentor(client_for, cast):
    response = client_for("peer", "en").get(reverse("peerprogram:peer_detail", args=[cast.peer.pk]))
    content = response.content.decode()
    assert "252,875 kr." in content
    assert "Mads Mentor (nurse)" in content
    assert response.context["may_edit"] is False


def test_peer_list_filters_low_hours_and_unit(client_for, cast):
    client = client_for("centre")
    PeerWorker.objects.filter(pk=cast.other_peer.pk).update(hours_per_week=12)
    response = client.get(reverse("peerprogram:peer_list"), {"under_recommended_hours": "on"})
    assert [p.name for p in response.context["page"].object_list] == ["Per Anden"]
    response = client.get(reverse("peerprogram:peer_list"), {"unit": cast.unit.pk})
    assert [p.name for p in response.context["page"].object_list] == ["Pia Peer"]


def test_outsider_leader_cannot_reach_another_units_peer(client_for, cast):
    client = client_for("outsider")
    assert client.get(reverse("peerprogram:peer_detail", args=[cast.peer.pk])).status_code == 404
    response = client.get(reverse("peerprogram:peer_list"))
    assert [p.name for p in response.context["page"].object_list] == ["Per Anden"]


def test_peer_list_filters_peers_without_a_mentor(client_for, cast):
    response = client_for("centre").get(reverse("peerprogram:peer_list"), {"without_mentor": "on"})
    assert [p.name for p in response.context["page"].object_list] == ["Per Anden"]


def test_register_form_preselects_the_only_unit_a_leader_has(client_for, cast):
    response = client_for("leader").get(reverse("peerprogram:peer_create"))
    assert response.context["person"].initial["unit"] == cast.unit


def test_peer_list_shows_each_peers_mentor_by_name(client_for, cast):
    response = client_for("centre", "en").get(reverse("peerprogram:peer_list"))
    rows = [(p.name, p.current_mentor) for p in response.context["page"].object_list]
    assert rows == [("Per Anden", None), ("Pia Peer", "Mads Mentor")]
    assert "Mads Mentor" in response.content.decode()


def test_peer_list_pages_by_name_fifty_at_a_time(client_for, cast):
    for n in range(55):
        PeerWorkerFactory(staff_member__name=f"Peer {n:02d}", staff_member__unit=cast.unit)
    client = client_for("leader", "en")
    first = client.get(reverse("peerprogram:peer_list"))
    assert first.context["page"].paginator.count == 56
    assert [p.name for p in first.context["page"].object_list][:2] == ["Peer 00", "Peer 01"]
    last = client.get(reverse("peerprogram:peer_list"), {"page": 2})
    assert [p.name for p in last.context["page"].object_list] == [
        "Peer 50",
        "Peer 51",
        "Peer 52",
        "Peer 53",
        "Peer 54",
        "Pia Peer",
    ]
