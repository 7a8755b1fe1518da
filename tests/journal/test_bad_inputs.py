"""Bad input on the journal forms: the exact message, what was typed is kept, nothing saved."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from journal import services
from journal.models import GroupNote, Note, NoteVersion, Patient, Referral

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
CPR_MESSAGE = (
    "This looks like a CPR number. Do not enter CPR numbers here: use the unit's "
    "own reference or initials."
)
REQUIRED = "This field is required."


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _patient(cast, **extra):
    fields = {
        "name": "Anna",
        "reference": "F-101",
        "consent_date": TODAY() - datetime.timedelta(days=3),
        "consent_given": "orally",
        **extra,
    }
    return services.patient_create(by=cast.peer.staff_member.user, peer=cast.peer, **fields)


def _final_note(cast):
    patient = _patient(cast)
    note = services.note_start(
        patient=patient,
        peer=cast.peer,
        by=None,
        date=TODAY(),
        place="ward",
        activity="conversation",
        minutes=30,
    )
    draft = services.draft_of(note)
    services.draft_save(draft=draft, by=None, expected_version=draft.version, changes={"hope": "h"})
    return services.note_approve(
        note=note, by=None, expected_version=services.draft_of(note).version
    )


# Patients -----------------------------------------------------------------------------


def test_a_cpr_number_as_the_name_is_refused_and_the_name_kept(client_for, cast):
    response = client_for("peer", "en").post(
        reverse("journal:patient_create"),
        {"name": "AB 010190-1234", "reference": "F-9", "consent_date": "", "consent_given": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": [CPR_MESSAGE]}
    content = _text(response)
    assert CPR_MESSAGE in content
    assert 'value="AB 010190-1234"' in content and 'value="F-9"' in content
    assert not Patient.objects.exists()


def test_a_cpr_number_as_the_reference_is_refused(client_for, cast):
    response = client_for("peer", "en").post(
        reverse("journal:patient_create"),
        {"name": "Anna", "reference": "0101901234", "consent_date": "", "consent_given": ""},
    )
    assert response.context["form"].errors == {"reference": [CPR_MESSAGE]}
    assert 'value="Anna"' in _text(response)
    assert not Patient.objects.exists()


def test_a_consent_date_without_how_is_refused_and_the_date_kept(client_for, cast):
    day = TODAY() - datetime.timedelta(days=2)
    response = client_for("peer", "en").post(
        reverse("journal:patient_create"),
        {"name": "Anna", "reference": "F-1", "consent_date": day.isoformat(), "consent_given": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"consent_given": ["Say how the consent was given."]}
    content = _text(response)
    assert "Say how the consent was given." in content
    assert f'value="{day.isoformat()}"' in content and 'value="Anna"' in content
    assert not Patient.objects.exists()


def test_how_the_consent_was_given_without_a_date_is_refused(client_for, cast):
    response = client_for("peer", "en").post(
        reverse("journal:patient_create"),
        {"name": "Anna", "reference": "F-1", "consent_date": "", "consent_given": "writing"},
    )
    assert response.context["form"].errors == {"consent_date": ["Give the date of the consent."]}
    assert not Patient.objects.exists()


def test_a_consent_date_in_the_future_is_refused(client_for, cast):
    tomorrow = TODAY() + datetime.timedelta(days=1)
    response = client_for("peer", "en").post(
        reverse("journal:patient_create"),
        {
            "name": "Anna",
            "reference": "F-1",
            "consent_date": tomorrow.isoformat(),
            "consent_given": "writing",
        },
    )
    assert response.context["form"].errors == {
        "consent_date": ["The date cannot be in the future."]
    }
    assert not Patient.objects.exists()


def test_a_reference_the_unit_already_uses_is_refused(client_for, cast):
    _patient(cast, reference="F-1")
    response = client_for("peer", "en").post(
        reverse("journal:patient_create"),
        {"name": "Bo", "reference": "F-1", "consent_date": "", "consent_given": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The unit already has a patient with this reference."
    ]
    assert 'value="Bo"' in _text(response)
    assert list(Patient.objects.values_list("name", flat=True)) == ["Anna"]


def test_ending_a_patient_without_a_date_is_refused_and_the_edit_kept(client_for, cast):
    patient = _patient(cast)
    response = client_for("peer", "en").post(
        reverse("journal:patient_edit", args=[patient.pk]),
        {
            "name": "Anna Changed",
            "reference": "F-101",
            "consent_date": patient.consent_date.isoformat(),
            "consent_given": "orally",
            "peers": [cast.peer.pk],
            "status": "ended",
            "ended_on": "",
            "version": patient.version,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "ended_on": ["Give the date the peer support ended."]
    }
    content = _text(response)
    assert "Give the date the peer support ended." in content
    assert 'value="Anna Changed"' in content
    stored = Patient.objects.get()
    assert (stored.name, stored.status, stored.ended_on, stored.version) == (
        "Anna",
        "active",
        None,
        patient.version,
    )


def test_ending_a_patient_in_the_future_is_refused(client_for, cast):
    patient = _patient(cast)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client_for("peer", "en").post(
        reverse("journal:patient_edit", args=[patient.pk]),
        {
            "name": "Anna",
            "reference": "F-101",
            "consent_date": patient.consent_date.isoformat(),
            "consent_given": "orally",
            "peers": [cast.peer.pk],
            "status": "ended",
            "ended_on": tomorrow.isoformat(),
            "version": patient.version,
        },
    )
    assert response.context["form"].errors == {"ended_on": ["The date cannot be in the future."]}
    assert Patient.objects.get().status == "active"


def test_a_patient_edited_by_someone_else_meanwhile_is_not_overwritten(client_for, cast):
    patient = _patient(cast)
    seen = patient.version
    services.patient_update(patient=patient, by=None, expected_version=seen, name="Anna Other")
    response = client_for("peer", "en").post(
        reverse("journal:patient_edit", args=[patient.pk]),
        {
            "name": "Anna Mine",
            "reference": "F-101",
            "consent_date": patient.consent_date.isoformat(),
            "consent_given": "orally",
            "peers": [cast.peer.pk],
            "status": "active",
            "ended_on": "",
            "version": seen,
        },
    )
    assert response.status_code == 200
    assert "Someone else saved this record while you were editing it." in _text(response)
    assert 'value="Anna Mine"' in _text(response)
    assert Patient.objects.get().name == "Anna Other"


# Referrals ----------------------------------------------------------------------------


def test_the_other_route_of_contact_without_a_description_is_refused(client_for, cast):
    response = client_for("mentor", "en").post(
        reverse("journal:referral_create"),
        {
            "peer": cast.peer.pk,
            "patient_name": "Bo B.",
            "patient_reference": "F-202",
            "reason": "Wants to talk about work.",
            "contact_route": "other",
            "contact_other": "   ",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "contact_other": ["Describe the other way of making contact."]
    }
    content = _text(response)
    assert "Describe the other way of making contact." in content
    assert 'value="Bo B."' in content and "\nWants to talk about work.</textarea>" in content
    assert not Referral.objects.exists()


def test_a_cpr_number_in_the_reason_is_refused(client_for, cast):
    response = client_for("mentor", "en").post(
        reverse("journal:referral_create"),
        {
            "peer": cast.peer.pk,
            "patient_name": "Bo B.",
            "patient_reference": "F-202",
            "reason": "CPR 010190-1234, wants support.",
            "contact_route": "patient",
        },
    )
    assert response.context["form"].errors == {"reason": [CPR_MESSAGE]}
    assert not Referral.objects.exists()


def test_declining_without_a_reason_is_refused(client_for, cast):
    referral = services.referral_create(
        by=None,
        referred_by=cast.mentor,
        peer=cast.peer,
        patient_name="Bo B.",
        patient_reference="F-202",
        reason="Wants support.",
        contact_route="patient",
    )
    response = client_for("peer", "en").post(
        reverse("journal:referral_decline", args=[referral.pk]), {"decline_reason": "  "}
    )
    assert response.status_code == 200
    assert response.context["decline_form"].errors == {"decline_reason": [REQUIRED]}
    assert REQUIRED in _text(response)
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason, referral.decided_at) == ("pending", "", None)


def test_accepting_with_a_consent_date_but_not_how_is_refused(client_for, cast):
    referral = services.referral_create(
        by=None,
        referred_by=cast.mentor,
        peer=cast.peer,
        patient_name="Bo B.",
        patient_reference="F-202",
        reason="Wants support.",
        contact_route="patient",
    )
    day = TODAY() - datetime.timedelta(days=1)
    response = client_for("peer", "en").post(
        reverse("journal:referral_accept", args=[referral.pk]),
        {"consent_date": day.isoformat(), "consent_given": ""},
    )
    assert response.status_code == 200
    assert response.context["accept_form"].errors == {
        "consent_given": ["Say how the consent was given."]
    }
    assert f'value="{day.isoformat()}"' in _text(response)
    referral.refresh_from_db()
    assert referral.status == "pending"
    assert not Patient.objects.exists()


# Notes --------------------------------------------------------------------------------


def _start_post(client, patient, **data):
    fields = {
        "date": TODAY().isoformat(),
        "place": "home",
        "activity": "conversation",
        "minutes": "45",
        **data,
    }
    return client.post(reverse("journal:note_create", args=[patient.pk]), fields)


def test_a_note_dated_in_the_future_is_refused_and_the_facts_kept(client_for, cast):
    patient = _patient(cast)
    tomorrow = TODAY() + datetime.timedelta(days=1)
    response = _start_post(
        client_for("peer", "en"), patient, date=tomorrow.isoformat(), minutes="75"
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"date": ["The date cannot be in the future."]}
    content = _text(response)
    assert "The date cannot be in the future." in content
    assert f'value="{tomorrow.isoformat()}"' in content and 'value="75"' in content
    assert not Note.objects.exists() and not NoteVersion.objects.exists()


def test_a_note_of_0_minutes_is_refused(client_for, cast):
    patient = _patient(cast)
    response = _start_post(client_for("peer", "en"), patient, minutes="0")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "minutes": ["Ensure this value is greater than or equal to 1."]
    }
    assert 'value="0"' in _text(response)
    assert not Note.objects.exists() and not NoteVersion.objects.exists()


def test_a_note_of_more_than_600_minutes_is_refused(client_for, cast):
    patient = _patient(cast)
    response = _start_post(client_for("peer", "en"), patient, minutes="601")
    assert response.context["form"].errors == {
        "minutes": ["Ensure this value is less than or equal to 600."]
    }
    assert not Note.objects.exists()


def test_a_note_for_a_patient_without_consent_is_refused_on_the_page(client_for, cast):
    patient = _patient(cast, consent_date=None, consent_given="")
    response = _start_post(client_for("peer", "en"), patient, minutes="50")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Record the patient's consent to peer support before writing the first note."
    ]
    assert 'value="50"' in _text(response)
    assert not Note.objects.exists()


def test_a_facts_step_with_0_minutes_keeps_the_draft_as_it_was(client_for, cast):
    patient = _patient(cast)
    note = services.note_start(
        patient=patient,
        peer=cast.peer,
        by=None,
        date=TODAY(),
        place="ward",
        activity="conversation",
        minutes=30,
    )
    draft = services.draft_of(note)
    response = client_for("peer", "en").post(
        reverse("journal:note_write", args=[note.pk]),
        {
            "step": "facts",
            "version": draft.version,
            "date": TODAY().isoformat(),
            "place": "home",
            "activity": "bridge",
            "minutes": "0",
            "next": "1",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "minutes": ["Ensure this value is greater than or equal to 1."]
    }
    stored = services.draft_of(note)
    assert (stored.place, stored.activity, stored.minutes, stored.version) == (
        "ward",
        "conversation",
        30,
        draft.version,
    )


def test_a_group_note_with_0_participants_is_refused_and_the_topic_kept(client_for, cast):
    response = client_for("peer", "en").post(
        reverse("journal:group_note_create"),
        {
            "date": TODAY().isoformat(),
            "place": "community",
            "topic": "Sleep and routines",
            "participants": "0",
            "minutes": "90",
            "co_facilitator": "Ida",
            "hope": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "participants": ["Ensure this value is greater than or equal to 1."]
    }
    content = _text(response)
    assert "Ensure this value is greater than or equal to 1." in content
    assert 'value="Sleep and routines"' in content and 'value="Ida"' in content
    assert not GroupNote.objects.exists()


def test_a_group_note_in_the_future_is_refused(client_for, cast):
    tomorrow = TODAY() + datetime.timedelta(days=1)
    response = client_for("peer", "en").post(
        reverse("journal:group_note_create"),
        {
            "date": tomorrow.isoformat(),
            "place": "community",
            "topic": "Sleep",
            "participants": "4",
            "minutes": "90",
        },
    )
    assert response.context["form"].errors == {"date": ["The date cannot be in the future."]}
    assert not GroupNote.objects.exists()


# Concerns and entered in error --------------------------------------------------------


def test_recording_a_concern_without_passed_to_is_refused_and_the_time_kept(client_for, cast):
    note = _final_note(cast)
    services.concern_raise(note=note, by=None)
    response = client_for("peer", "en").post(
        reverse("journal:note_concern", args=[note.pk]),
        {"passed_to": "  ", "passed_at": "2026-01-05T09:15"},
    )
    assert response.status_code == 200
    assert response.context["concern_form"].errors == {"passed_to": [REQUIRED]}
    content = _text(response)
    assert REQUIRED in content
    assert 'value="2026-01-05T09:15"' in content
    note.refresh_from_db()
    assert note.concern_open is True
    assert (note.concern_passed_to, note.concern_passed_at) == ("", None)


def test_recording_a_concern_passed_on_in_the_future_is_refused(client_for, cast):
    note = _final_note(cast)
    services.concern_raise(note=note, by=None)
    later = timezone.localtime() + datetime.timedelta(days=1)
    response = client_for("peer", "en").post(
        reverse("journal:note_concern", args=[note.pk]),
        {"passed_to": "Dr. Hansen", "passed_at": f"{later:%Y-%m-%dT%H:%M}"},
    )
    assert response.status_code == 200
    assert response.context["concern_form"].errors == {
        "passed_at": ["The time cannot be in the future."]
    }
    assert 'value="Dr. Hansen"' in _text(response)
    note.refresh_from_db()
    assert note.concern_open is True


def test_marking_in_error_without_a_reason_is_refused(client_for, cast):
    note = _final_note(cast)
    response = client_for("peer", "en").post(
        reverse("journal:note_mark_error", args=[note.pk]), {"reason": " "}, follow=True
    )
    assert response.redirect_chain == [(note.get_absolute_url(), 302)]
    assert "Say why the note was entered in error." in _text(response)
    note.refresh_from_db()
    assert (note.status, note.error_reason) == ("final", "")
