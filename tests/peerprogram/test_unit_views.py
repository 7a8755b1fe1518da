import pytest
from django.urls import reverse

from peerprogram.models import Unit

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
