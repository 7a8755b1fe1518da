import re

import pytest
from django.urls import reverse

from peerprogram.models import StaffMember, Unit
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def _data(cast, **overrides):
    data = {
        "name": "Bo Berg",
        "email": "bo@example.org",
        "phone": "",
        "unit": cast.unit.pk,
        "profession": "nurse",
        "active": "on",
        "version": 1,
    }
    data.update(overrides)
    return data


def test_leader_adds_a_staff_member_to_own_unit(client_for, cast):
    response = client_for("leader").post(reverse("peerprogram:staff_create"), _data(cast))
    member = StaffMember.objects.get(email="bo@example.org")
    assert response["Location"] == member.get_absolute_url()
    assert (member.unit, member.is_centre_staff) == (cast.unit, False)


def test_leader_cannot_place_staff_in_another_unit(client_for, cast):
    response = client_for("leader", "en").post(
        reverse("peerprogram:staff_create"), _data(cast, unit=cast.other_unit.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unit"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not StaffMember.objects.filter(email="bo@example.org").exists()


def test_leader_cannot_make_anyone_centre_staff(client_for, cast):
    client_for("leader").post(
        reverse("peerprogram:staff_create"), _data(cast, is_centre_staff="on")
    )
    assert StaffMember.objects.get(email="bo@example.org").is_centre_staff is False


def test_duplicate_email_is_refused_in_danish_and_the_form_kept(client_for, cast):
    response = client_for("leader").post(
        reverse("peerprogram:staff_create"), _data(cast, email=cast.mentor.email.upper())
    )
    assert response.context["form"].errors["email"] == [
        "Der findes allerede en medarbejder med denne e-mailadresse."
    ]
    assert 'value="Bo Berg"' in response.content.decode()


def test_staff_list_filters_by_profession_and_search(client_for, cast):
    client = client_for("centre")
    response = client.get(reverse("peerprogram:staff_list"), {"profession": "peer"})
    assert [m.name for m in response.context["page"]] == ["Per Anden", "Pia Peer"]
    response = client.get(reverse("peerprogram:staff_list"), {"q": "mentor"})
    assert [m.name for m in response.context["page"]] == ["Mads Mentor"]


def test_mentor_page_lists_the_mentees(client_for, cast):
    response = client_for("mentor").get(reverse("peerprogram:staff_detail", args=[cast.mentor.pk]))
    assert [p.name for p in response.context["mentees"]] == ["Pia Peer"]
    assert response.context["may_edit"] is False


def test_editing_through_the_form_audits_the_changed_fields(client_for, cast):
    from peerprogram.models import AuditEvent

    client_for("leader").post(
        reverse("peerprogram:staff_edit", args=[cast.mentor.pk]),
        _data(cast, name="Mads Mentorsen", email=cast.mentor.email, version=cast.mentor.version),
    )
    assert AuditEvent.objects.get(action="staff_update").summary == "name"


def test_a_leader_cannot_edit_someone_who_leads_another_unit(client_for, cast):
    cast.outsider.unit = cast.unit
    cast.outsider.save()
    response = client_for("leader").get(reverse("peerprogram:staff_edit", args=[cast.outsider.pk]))
    assert response.status_code == 404


def test_a_leader_cannot_edit_centre_staff_placed_in_their_unit(client_for, cast):
    cast.centre.unit = cast.unit
    cast.centre.save()
    response = client_for("leader").get(reverse("peerprogram:staff_edit", args=[cast.centre.pk]))
    assert response.status_code == 404


def test_a_mentor_does_not_see_the_mentees_staff_record(client_for, cast):
    url = reverse("peerprogram:staff_detail", args=[cast.peer.staff_member.pk])
    assert client_for("mentor").get(url).status_code == 404


def test_invisible_control_characters_are_refused(client_for, cast):
    response = client_for("leader", "en").post(
        reverse("peerprogram:staff_create"), _data(cast, name="Bo\x0bBerg")
    )
    assert response.context["form"].errors["name"] == [
        "The text contains an invisible control character. Retype it."
    ]


def test_a_peer_workers_profession_cannot_be_changed(client_for, cast):
    member = cast.peer.staff_member
    client_for("leader").post(
        reverse("peerprogram:staff_edit", args=[member.pk]),
        _data(
            cast, name=member.name, email=member.email, profession="nurse", version=member.version
        ),
    )
    member.refresh_from_db()
    assert member.profession == "peer"


def test_the_unit_filter_lists_every_unit_escaped_with_the_chosen_one_selected(client_for, cast):
    UnitFactory(name="Team <A&B>")
    response = client_for("centre", "en").get(
        reverse("peerprogram:staff_list"), {"unit": cast.unit.pk}
    )
    select = re.search(r'<select name="unit".*?</select>', response.content.decode()).group()
    options = re.findall(r"<option[^>]*>[^<]*</option>", select)
    assert options == [
        '<option value="">All</option>',
        f'<option value="{cast.centre_unit.pk}">Center for Recovery og Samskabelse</option>',
        f'<option value="{cast.other_unit.pk}">F-ACT Vest</option>',
        f'<option value="{cast.unit.pk}" selected>F-ACT Øst</option>',
        f'<option value="{Unit.objects.get(name="Team <A&B>").pk}">Team &lt;A&amp;B&gt;</option>',
    ]
    assert 'id="id_unit"' in select and "form-select" in select
    assert [m.name for m in response.context["page"]] == ["Lene Leder", "Mads Mentor", "Pia Peer"]


def test_a_leader_chooses_only_among_own_units(client_for, cast):
    response = client_for("leader").get(reverse("peerprogram:staff_list"))
    select = re.search(r'<select name="unit".*?</select>', response.content.decode()).group()
    assert re.findall(r'<option value="(\d*)"', select) == ["", str(cast.unit.pk)]
