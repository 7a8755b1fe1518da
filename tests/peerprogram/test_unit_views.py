import datetime

import pytest
from django.urls import reverse

from peerprogram.models import Unit
from tests.factories import MentorshipFactory, PeerWorkerFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


def test_centre_staff_create_a_unit(client_for, cast):
    response = client_for("centre", "en").post(
        reverse("peerprogram:unit_create"),
        {
            "name": "F-ACT Nord",
            "kind": "fact",
            "organisation": "Region Nord",
            "active": "on",
            "version": 1,
        },
    )
    unit = Unit.objects.get(name="F-ACT Nord")
    assert response.status_code == 302
    assert response["Location"] == unit.get_absolute_url()


def test_unit_form_keeps_what_was_typed_and_names_the_duplicate(client_for, cast):
    response = client_for("centre").post(
        reverse("peerprogram:unit_create"),
        {"name": "F-ACT Øst", "kind": "fact", "organisation": "Et sted", "version": 1},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "Der findes allerede en enhed med dette navn."
    ]
    assert 'value="Et sted"' in response.content.decode()


def test_leader_edits_own_unit_but_cannot_choose_its_leader(client_for, cast):
    client = client_for("leader")
    form = client.get(reverse("peerprogram:unit_edit", args=[cast.unit.pk])).context["form"]
    assert "leader" not in form.fields
    response = client.post(
        reverse("peerprogram:unit_edit", args=[cast.unit.pk]),
        {
            "name": "F-ACT Øst (Aalborg)",
            "kind": "fact",
            "organisation": "Region Nord",
            "version": cast.unit.version,
        },
    )
    assert response.status_code == 302
    cast.unit.refresh_from_db()
    assert (cast.unit.name, cast.unit.leader) == ("F-ACT Øst (Aalborg)", cast.leader)


def test_centre_chooses_a_leader_among_the_units_staff(client_for, cast):
    client = client_for("centre")
    form = client.get(reverse("peerprogram:unit_edit", args=[cast.unit.pk])).context["form"]
    # The peer worker is not offered as leader; staff of other units are not either.
    assert list(form.fields["leader"].queryset) == [cast.leader, cast.mentor]


def test_second_save_of_the_same_unit_is_refused_and_the_typed_text_kept(client_for, cast):
    client = client_for("centre", "en")
    url = reverse("peerprogram:unit_edit", args=[cast.unit.pk])
    data = {
        "kind": "fact",
        "organisation": "Region Nord",
        "version": cast.unit.version,
        "active": "on",
        "leader": cast.leader.pk,
    }
    assert client.post(url, {**data, "name": "First tab"}).status_code == 302
    response = client.post(url, {**data, "name": "Second tab"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Someone else saved this record while you were editing it. Nothing was overwritten: "
        "your changes are still in the form below. Reload the page to see their version, "
        "then make your changes again."
    ]
    assert 'value="Second tab"' in response.content.decode()
    cast.unit.refresh_from_db()
    assert cast.unit.name == "First tab"


def test_unit_list_filters_by_kind(client_for, cast):
    response = client_for("centre").get(reverse("peerprogram:unit_list"), {"kind": "other"})
    assert [u.name for u in response.context["page"]] == ["Center for Recovery og Samskabelse"]


def test_leader_sees_only_own_units_in_the_list(client_for, cast):
    response = client_for("leader").get(reverse("peerprogram:unit_list"))
    assert [u.name for u in response.context["page"]] == ["F-ACT Øst"]


def test_unit_page_lists_peers_by_start_and_staff_active_first(client_for, cast):
    later = PeerWorkerFactory(
        staff_member__name="Lars Senere",
        staff_member__unit=cast.unit,
        start_date=datetime.date(2025, 6, 1),
    )
    StaffMemberFactory(name="Aase Ophørt", unit=cast.unit, active=False)
    response = client_for("leader", "en").get(cast.unit.get_absolute_url())
    assert [(p.name, p.current_mentor) for p in response.context["peers"]] == [
        ("Pia Peer", "Mads Mentor"),
        ("Lars Senere", None),
    ]
    assert [m.name for m in response.context["staff"]] == [
        "Lene Leder",
        "Mads Mentor",
        "Aase Ophørt",
    ]
    assert later.staff_member.name in response.content.decode()
    assert "none yet" in response.content.decode()


@pytest.mark.parametrize("size", [2, 20])
def test_unit_page_uses_a_fixed_number_of_queries(
    client_for, cast, size, django_assert_max_num_queries
):
    for _ in range(size):
        peer = PeerWorkerFactory(staff_member__unit=cast.unit)
        MentorshipFactory(peer=peer, mentor=StaffMemberFactory(unit=cast.unit))
    for role in ("leader", "centre"):
        client = client_for(role)
        # Five for any page, one for the actor; the unit; its staff and peers with mentors.
        with django_assert_max_num_queries(8):
            response = client.get(cast.unit.get_absolute_url())
        assert len(response.context["peers"]) == size + 1
