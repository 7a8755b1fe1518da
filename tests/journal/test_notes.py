"""Approval and versioning of CHIME notes, discarding, entered in error, concerns, consent."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from journal import services
from journal.models import Note, NoteVersion, Patient, no_cpr_number

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
CPR_MESSAGE = (
    "This looks like a CPR number. Do not enter CPR numbers here: use the unit's "
    "own reference or initials."
)


def refused(call):
    """The messages of the ValidationError `call` raises, in English."""
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            call()
        error = caught.value
        return error.message_dict if hasattr(error, "error_dict") else error.messages


def _user(cast):
    return cast.peer.staff_member.user


def _patient(cast, *, consent=True, name="Anna", reference="F-101"):
    return services.patient_create(
        by=_user(cast),
        peer=cast.peer,
        name=name,
        reference=reference,
        consent_date=TODAY() - datetime.timedelta(days=3) if consent else None,
        consent_given=Patient.ConsentGiven.ORALLY if consent else "",
    )


def _start(cast, patient=None, minutes=45):
    return services.note_start(
        patient=patient or _patient(cast),
        peer=cast.peer,
        by=_user(cast),
        date=TODAY() - datetime.timedelta(days=1),
        place="outpatient",
        activity="conversation",
        minutes=minutes,
    )


def _write(cast, note, **texts):
    draft = services.draft_of(note)
    return services.draft_save(
        draft=draft, by=_user(cast), expected_version=draft.version, changes=texts
    )


def _approve(cast, note):
    return services.note_approve(
        note=note, by=_user(cast), expected_version=services.draft_of(note).version
    )


def _final_note(cast, patient=None):
    note = _start(cast, patient)
    _write(cast, note, hope="A walk by the sea", next_steps="Meet again on Monday")
    return _approve(cast, note)


def _content(version):
    return {
        name: getattr(version, name)
        for name in (
            "connectedness",
            "hope",
            "identity",
            "meaning",
            "empowerment",
            "patient_words",
            "next_steps",
        )
    }


# Approval -----------------------------------------------------------------------------


def test_a_new_note_is_a_draft_with_no_current_version(cast):
    note = _start(cast)
    note.refresh_from_db()
    assert note.status == Note.Status.DRAFT
    assert note.current is None
    assert list(note.versions.values_list("number", "status", "minutes", "approved_at")) == [
        (1, "draft", 45, None)
    ]


def test_approval_needs_at_least_one_chime_section(cast):
    note = _start(cast)
    _write(cast, note, patient_words="I slept well", next_steps="Call on Friday")
    assert refused(lambda: _approve(cast, note)) == [
        "Write at least one of the five CHIME sections before the patient approves."
    ]
    note.refresh_from_db()
    assert note.status == Note.Status.DRAFT and note.current is None
    assert services.draft_of(note).status == NoteVersion.Status.DRAFT


def test_a_chime_section_of_only_spaces_does_not_count_for_approval(cast):
    note = _start(cast)
    _write(cast, note, hope="   ")
    assert refused(lambda: _approve(cast, note)) == [
        "Write at least one of the five CHIME sections before the patient approves."
    ]


def test_approval_records_the_time_and_makes_the_note_final_with_that_version(cast, monkeypatch):
    note = _start(cast)
    _write(cast, note, identity="A father and a carpenter")
    moment = datetime.datetime(2024, 5, 6, 10, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    _approve(cast, note)
    note.refresh_from_db()
    version = note.versions.get()
    assert note.status == Note.Status.FINAL
    assert note.current == version
    assert (version.number, version.status, version.approved_at) == (1, "approved", moment)
    assert version.identity == "A father and a carpenter"


def test_approving_with_a_stale_version_is_refused(cast):
    note = _start(cast)
    shown = services.draft_of(note).version
    _write(cast, note, hope="A new job")
    assert refused(
        lambda: services.note_approve(note=note, by=_user(cast), expected_version=shown)
    ) == ["The draft changed after it was shown. Read it again with the patient before approving."]
    note.refresh_from_db()
    assert note.status == Note.Status.DRAFT and note.current is None


def test_a_final_note_cannot_be_edited_through_draft_save(cast):
    note = _final_note(cast)
    version = note.versions.get()
    assert refused(
        lambda: services.draft_save(
            draft=version,
            by=_user(cast),
            expected_version=version.version,
            changes={"hope": "Changed behind the patient's back"},
        )
    ) == ["This version is no longer a draft. Open the note again."]
    version.refresh_from_db()
    assert version.hope == "A walk by the sea"


def test_approving_a_note_without_a_draft_is_refused(cast):
    note = _final_note(cast)
    assert refused(
        lambda: services.note_approve(note=note, by=_user(cast), expected_version=1)
    ) == ["There is no draft to approve."]


# Versions -----------------------------------------------------------------------------


def test_a_revision_is_version_2_as_a_draft_copying_the_content(cast):
    note = _final_note(cast)
    v1 = note.versions.get()
    v2 = services.note_revise(note=note, peer=cast.peer, by=_user(cast))
    assert (v2.number, v2.status, v2.approved_at) == (2, "draft", None)
    assert _content(v2) == _content(v1)
    assert (v2.date, v2.place, v2.activity, v2.minutes) == (v1.date, v1.place, v1.activity, 45)
    note.refresh_from_db()
    assert note.status == Note.Status.FINAL
    assert note.current == v1


def test_revising_twice_gives_back_the_same_draft(cast):
    note = _final_note(cast)
    first = services.note_revise(note=note, peer=cast.peer, by=_user(cast))
    again = services.note_revise(note=note, peer=cast.peer, by=_user(cast))
    assert again.pk == first.pk
    assert list(note.versions.values_list("number", "status")) == [
        (1, "approved"),
        (2, "draft"),
    ]


def test_the_note_stands_as_version_1_until_version_2_is_approved(cast):
    note = _final_note(cast)
    services.note_revise(note=note, peer=cast.peer, by=_user(cast))
    _write(cast, note, hope="A walk by the sea, and a swim")
    note.refresh_from_db()
    assert note.current.number == 1
    assert note.current.hope == "A walk by the sea"

    _approve(cast, note)
    note.refresh_from_db()
    assert note.status == Note.Status.FINAL
    assert note.current.number == 2
    assert note.current.hope == "A walk by the sea, and a swim"
    rows = list(note.versions.order_by("number").values_list("number", "status", "hope"))
    assert rows == [
        (1, "approved", "A walk by the sea"),
        (2, "approved", "A walk by the sea, and a swim"),
    ]
    assert all(v.approved_at for v in note.versions.all())


def test_only_a_final_note_can_be_revised(cast):
    note = _start(cast)
    assert refused(lambda: services.note_revise(note=note, peer=cast.peer, by=_user(cast))) == [
        "Only a final note can be changed."
    ]


# Discarding ---------------------------------------------------------------------------


def test_discarding_a_never_approved_draft_blanks_its_text_and_keeps_the_row(cast):
    note = _start(cast)
    _write(cast, note, hope="Seeing my sister", patient_words="Not yet", next_steps="Wait")
    services.draft_discard(note=note, by=_user(cast))
    note.refresh_from_db()
    assert note.status == Note.Status.DISCARDED
    assert note.current is None
    version = note.versions.get()
    assert version.status == NoteVersion.Status.DISCARDED
    assert _content(version) == dict.fromkeys(_content(version), "")
    # The facts stay in the history.
    assert (version.number, version.minutes, version.place) == (1, 45, "outpatient")


def test_discarding_a_revision_leaves_the_note_final_with_the_old_version(cast):
    note = _final_note(cast)
    services.note_revise(note=note, peer=cast.peer, by=_user(cast))
    _write(cast, note, hope="Something the patient did not want")
    services.draft_discard(note=note, by=_user(cast))
    note.refresh_from_db()
    assert note.status == Note.Status.FINAL
    assert note.current.number == 1
    assert note.current.hope == "A walk by the sea"
    assert list(note.versions.order_by("number").values_list("number", "status", "hope")) == [
        (1, "approved", "A walk by the sea"),
        (2, "discarded", ""),
    ]


def test_discarding_when_there_is_no_draft_is_refused(cast):
    note = _final_note(cast)
    assert refused(lambda: services.draft_discard(note=note, by=_user(cast))) == [
        "There is no draft to discard."
    ]


# Entered in error ---------------------------------------------------------------------


def test_marking_in_error_needs_a_reason(cast):
    note = _final_note(cast)
    assert refused(lambda: services.note_mark_error(note=note, by=_user(cast), reason="  ")) == {
        "reason": ["Say why the note was entered in error."]
    }
    note.refresh_from_db()
    assert note.status == Note.Status.FINAL


def test_a_note_marked_in_error_keeps_all_its_versions(cast):
    note = _final_note(cast)
    services.note_revise(note=note, peer=cast.peer, by=_user(cast))
    _write(cast, note, hope="A second version")
    _approve(cast, note)
    services.note_mark_error(note=note, by=_user(cast), reason="  Written on the wrong patient ")
    note.refresh_from_db()
    assert note.status == Note.Status.ERROR
    assert note.error_reason == "Written on the wrong patient"
    assert note.error_at is not None
    assert note.current.number == 2
    assert list(note.versions.order_by("number").values_list("number", "status", "hope")) == [
        (1, "approved", "A walk by the sea"),
        (2, "approved", "A second version"),
    ]


def test_marking_in_error_discards_a_waiting_revision(cast):
    note = _final_note(cast)
    services.note_revise(note=note, peer=cast.peer, by=_user(cast))
    services.note_mark_error(note=note, by=_user(cast), reason="Wrong patient")
    note.refresh_from_db()
    assert note.status == Note.Status.ERROR
    assert list(note.versions.order_by("number").values_list("number", "status")) == [
        (1, "approved"),
        (2, "discarded"),
    ]


def test_a_draft_cannot_be_marked_in_error(cast):
    note = _start(cast)
    assert refused(
        lambda: services.note_mark_error(note=note, by=_user(cast), reason="Wrong patient")
    ) == ["Only a final note can be marked as entered in error; a draft is discarded."]
    note.refresh_from_db()
    assert (note.status, note.error_reason) == (Note.Status.DRAFT, "")


# Concerns (duty to inform) ------------------------------------------------------------


def test_a_concern_is_open_until_it_is_recorded_as_passed_on(cast):
    note = _final_note(cast)
    assert note.concern_open is False
    services.concern_raise(note=note, by=_user(cast))
    note.refresh_from_db()
    assert note.concern is True and note.concern_raised_at is not None
    assert note.concern_open is True

    passed_at = timezone.now() - datetime.timedelta(hours=1)
    services.concern_record(
        note=note, by=_user(cast), passed_to="  Kontaktperson Karen ", passed_at=passed_at
    )
    note.refresh_from_db()
    assert (note.concern_passed_to, note.concern_passed_at) == ("Kontaktperson Karen", passed_at)
    assert note.concern_open is False


def test_a_concern_passed_on_in_the_future_is_refused(cast):
    note = _final_note(cast)
    services.concern_raise(note=note, by=_user(cast))
    later = timezone.now() + datetime.timedelta(hours=2)
    assert refused(
        lambda: services.concern_record(
            note=note, by=_user(cast), passed_to="Dr. Hansen", passed_at=later
        )
    ) == {"passed_at": ["The time cannot be in the future."]}
    note.refresh_from_db()
    assert note.concern_open is True and note.concern_passed_to == ""


def test_recording_a_concern_needs_whom_it_was_passed_to(cast):
    note = _final_note(cast)
    services.concern_raise(note=note, by=_user(cast))
    assert refused(
        lambda: services.concern_record(
            note=note, by=_user(cast), passed_to=" ", passed_at=timezone.now()
        )
    ) == {"passed_to": ["Say to whom the concern was passed."]}


def test_a_concern_already_passed_on_cannot_be_recorded_again(cast):
    note = _final_note(cast)
    services.concern_raise(note=note, by=_user(cast))
    first = timezone.now() - datetime.timedelta(hours=2)
    services.concern_record(note=note, by=_user(cast), passed_to="Dr. Hansen", passed_at=first)
    assert refused(
        lambda: services.concern_record(
            note=note, by=_user(cast), passed_to="Someone else", passed_at=timezone.now()
        )
    ) == ["It is already recorded that the concern was passed on."]
    note.refresh_from_db()
    assert (note.concern_passed_to, note.concern_passed_at) == ("Dr. Hansen", first)


def test_a_discarded_note_cannot_carry_a_concern(cast):
    note = _final_note(cast)
    services.note_mark_error(note=note, by=_user(cast), reason="Forkert patient")
    assert refused(lambda: services.concern_raise(note=note, by=_user(cast))) == [
        "A discarded note or one entered in error cannot carry a concern."
    ]


def test_recording_a_concern_on_a_note_without_one_is_refused(cast):
    note = _final_note(cast)
    assert refused(
        lambda: services.concern_record(
            note=note, by=_user(cast), passed_to="Dr. Hansen", passed_at=timezone.now()
        )
    ) == ["The note carries no concern."]


# Consent, ended patients, CPR numbers -------------------------------------------------


def test_a_note_cannot_be_started_without_the_patients_consent(cast):
    patient = _patient(cast, consent=False)
    assert refused(lambda: _start(cast, patient)) == [
        "Record the patient's consent to peer support before writing the first note."
    ]
    assert not Note.objects.exists()


def test_a_note_cannot_be_started_for_an_ended_patient(cast):
    patient = _patient(cast)
    services.patient_update(
        patient=patient,
        by=_user(cast),
        expected_version=patient.version,
        status=Patient.Status.ENDED,
        ended_on=TODAY(),
    )
    assert refused(lambda: _start(cast, patient)) == [
        "The patient's peer support has ended. Reopen it to write notes."
    ]
    assert not Note.objects.exists()


def test_a_note_cannot_be_dated_in_the_future(cast):
    patient = _patient(cast)
    assert refused(
        lambda: services.note_start(
            patient=patient,
            peer=cast.peer,
            by=_user(cast),
            date=TODAY() + datetime.timedelta(days=1),
            place="ward",
            activity="conversation",
            minutes=30,
        )
    ) == {"date": ["The date cannot be in the future."]}
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    "value", ["010190-1234", "0101901234", "Anna 010190-1234", "ref:0101901234."]
)
def test_a_cpr_like_value_is_refused(value):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        no_cpr_number(value)
    with translation.override("en"):
        assert caught.value.messages == [CPR_MESSAGE]
    assert caught.value.code == "cpr"


@pytest.mark.parametrize("value", ["", "AB", "F-1234", "010190-12345", "12345-1234", "2024-0101"])
def test_values_that_are_not_cpr_numbers_are_accepted(value):
    assert no_cpr_number(value) is None


def test_a_cpr_number_as_the_patients_name_is_refused(cast):
    assert refused(lambda: _patient(cast, name="010190-1234")) == {"name": [CPR_MESSAGE]}
    assert not Patient.objects.exists()


def test_a_cpr_number_as_the_patients_reference_is_refused(cast):
    assert refused(lambda: _patient(cast, reference="0101901234")) == {"reference": [CPR_MESSAGE]}
    assert not Patient.objects.exists()
