"""The retention command: patients ended long ago go with their notes; the access log stays."""

import datetime
import io

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from journal import services
from journal.models import Note, NoteAccess, NoteVersion, Patient, Referral

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _run(*args) -> str:
    out = io.StringIO()
    call_command("remove_old_notes", *args, stdout=out)
    return out.getvalue()


def _cutoff() -> datetime.date:
    return TODAY() - relativedelta(months=settings.JOURNAL_RETENTION_MONTHS)


def _refer_and_accept(cast, name, reference):
    referral = services.referral_create(
        by=cast.mentor.user,
        referred_by=cast.mentor,
        peer=cast.peer,
        patient_name=name,
        patient_reference=reference,
        reason="Wants peer support.",
        contact_route="patient",
    )
    return services.referral_accept(
        referral=referral,
        by=cast.peer.staff_member.user,
        consent_date=_cutoff() - relativedelta(months=6),
        consent_given="orally",
    )


def _note(cast, patient, *, approve=True, when=None):
    user = cast.peer.staff_member.user
    note = services.note_start(
        patient=patient,
        peer=cast.peer,
        by=user,
        date=when or _cutoff() - relativedelta(months=3),
        place="ward",
        activity="conversation",
        minutes=30,
    )
    draft = services.draft_of(note)
    services.draft_save(
        draft=draft, by=user, expected_version=draft.version, changes={"hope": "Spring"}
    )
    if approve:
        services.note_approve(note=note, by=user, expected_version=services.draft_of(note).version)
    return note


def _end(cast, patient, ended_on):
    patient.refresh_from_db()
    services.patient_update(
        patient=patient,
        by=cast.peer.staff_member.user,
        expected_version=patient.version,
        status="ended",
        ended_on=ended_on,
    )


@pytest.fixture
def world(cast):
    """One patient ended long ago (2 notes, 3 versions, 2 referrals), and what must stay."""
    user = cast.peer.staff_member.user
    old = _refer_and_accept(cast, "Old O.", "F-1")
    _refer_and_accept(cast, "Old O.", "F-1")  # referred again: the same patient
    revised = _note(cast, old)
    services.note_revise(note=revised, peer=cast.peer, by=user)
    services.draft_discard(note=revised, by=user)
    error = _note(cast, old)
    services.note_mark_error(note=error, by=user, reason="Wrong patient")
    services.access_log(user=user, notes=[revised, error], action=NoteAccess.Action.VIEW)
    _end(cast, old, _cutoff() - datetime.timedelta(days=1))

    # Ended exactly at the cutoff: not *more* than the retention period ago.
    boundary = _refer_and_accept(cast, "Border B.", "F-2")
    _note(cast, boundary)
    _end(cast, boundary, _cutoff())

    recent = _refer_and_accept(cast, "Recent R.", "F-3")
    _note(cast, recent)
    _end(cast, recent, TODAY() - relativedelta(months=2))

    active = _refer_and_accept(cast, "Active A.", "F-4")
    _note(cast, active, approve=False)

    # A declined referral names a patient too: gone after the same time.
    old_decline, new_decline = (
        services.referral_create(
            by=cast.mentor.user,
            referred_by=cast.mentor,
            peer=cast.peer,
            patient_name=name,
            patient_reference=ref,
            reason="Wants peer support.",
            contact_route="patient",
        )
        for name, ref in [("Declined D.", "F-5"), ("Declined E.", "F-6")]
    )
    for referral in (old_decline, new_decline):
        services.referral_decline(referral=referral, by=user, reason="Full caseload")
    # The services stamp the answer with the current time; an old one needs the ORM.
    Referral.objects.filter(pk=old_decline.pk).update(
        decided_at=timezone.now() - relativedelta(months=settings.JOURNAL_RETENTION_MONTHS + 1)
    )
    return {"old": old, "logged": [revised.pk, error.pk]}


def _state():
    return {
        "patients": sorted(Patient.objects.values_list("name", flat=True)),
        "notes": Note.objects.count(),
        "versions": NoteVersion.objects.count(),
        "referrals": sorted(Referral.objects.values_list("patient_name", "status")),
        "access": NoteAccess.objects.count(),
    }


def test_patients_ended_long_ago_are_removed_with_their_notes_and_referrals(world, cast):
    assert _state() == {
        "patients": ["Active A.", "Border B.", "Old O.", "Recent R."],
        "notes": 5,
        "versions": 6,
        "referrals": [
            ("Active A.", "accepted"),
            ("Border B.", "accepted"),
            ("Declined D.", "declined"),
            ("Declined E.", "declined"),
            ("Old O.", "accepted"),
            ("Old O.", "accepted"),
            ("Recent R.", "accepted"),
        ],
        "access": 2,
    }
    output = _run()
    assert output == (
        "Removed 1 patient(s), 2 note(s), 3 note version(s) and 3 referral(s); "
        f"retention period {settings.JOURNAL_RETENTION_MONTHS} months after the peer support "
        "ended.\n"
    )
    assert _state() == {
        "patients": ["Active A.", "Border B.", "Recent R."],
        "notes": 3,
        "versions": 3,
        "referrals": [
            ("Active A.", "accepted"),
            ("Border B.", "accepted"),
            ("Declined E.", "declined"),
            ("Recent R.", "accepted"),
        ],
        "access": 2,
    }
    assert not Patient.peers.through.objects.filter(patient_id=world["old"].pk).exists()


def test_the_access_log_of_removed_notes_is_kept(world):
    _run()
    assert sorted(
        NoteAccess.objects.values_list("patient_id", "note_id", "action", "who")
    ) == sorted((world["old"].pk, pk, "view", "Pia Peer") for pk in world["logged"])
    assert not Note.objects.filter(pk__in=world["logged"]).exists()


def test_a_second_run_removes_nothing(world):
    _run()
    before = _state()
    assert _run() == (
        "Removed 0 patient(s), 0 note(s), 0 note version(s) and 0 referral(s); "
        f"retention period {settings.JOURNAL_RETENTION_MONTHS} months after the peer support "
        "ended.\n"
    )
    assert _state() == before


def test_a_dry_run_counts_and_removes_nothing(world):
    before = _state()
    assert _run("--dry-run") == (
        "Would remove 1 patient(s), 2 note(s), 3 note version(s) and 3 referral(s); "
        f"retention period {settings.JOURNAL_RETENTION_MONTHS} months after the peer support "
        "ended. (dry run)\n"
    )
    assert _state() == before
    assert Note.objects.filter(patient=world["old"], current__isnull=False).count() == 2


def test_the_retention_period_comes_from_the_settings(world, settings):
    settings.JOURNAL_RETENTION_MONTHS = 1
    assert _run() == (
        "Removed 3 patient(s), 4 note(s), 5 note version(s) and 5 referral(s); "
        "retention period 1 months after the peer support ended.\n"
    )
    assert _state()["patients"] == ["Active A."]


def test_nothing_to_remove_prints_zeros(cast):
    assert _run() == (
        "Removed 0 patient(s), 0 note(s), 0 note version(s) and 0 referral(s); "
        f"retention period {settings.JOURNAL_RETENTION_MONTHS} months after the peer support "
        "ended.\n"
    )


def test_a_referral_never_answered_goes_after_the_retention_period(cast):
    old, new = (
        services.referral_create(
            by=cast.mentor.user,
            referred_by=cast.mentor,
            peer=cast.peer,
            patient_name=name,
            patient_reference=ref,
            reason="Wants peer support.",
            contact_route="patient",
        )
        for name, ref in [("Waited W.", "F-7"), ("Waiting X.", "F-8")]
    )
    Referral.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - relativedelta(months=settings.JOURNAL_RETENTION_MONTHS + 1)
    )
    assert "0 patient(s), 0 note(s), 0 note version(s) and 1 referral(s)" in _run()
    assert list(Referral.objects.values_list("patient_name", "status")) == [
        ("Waiting X.", "pending")
    ]
