"""Writes to the journal: patients, referrals, notes and their versions, the access log.

Keyword-only, atomic, validated and audited. The audit rows never hold note content:
only which object and which fields changed.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peerprogram.models import PeerWorker, StaffMember
from peerprogram.services import ConcurrentEditError, audit, not_in_future, save_versioned

from .models import (
    CHIME_FIELDS,
    CONTENT_FIELDS,
    GroupNote,
    Note,
    NoteAccess,
    NoteVersion,
    Patient,
    PeerMonth,
    ProgrammeFigures,
    Referral,
)
from .selectors import (
    COUNTED,
    complete_months,
    count_peer_months,
    month_totals_to_keep,
    months_back,
    programme_level,
)

logger = logging.getLogger(__name__)

# The facts of a conversation that are edited in the first step of co-writing.
FACT_FIELDS = ("date", "place", "activity", "minutes")


def _check_peer_in_unit(peer: PeerWorker, unit_id: int, field: str, message: str = "") -> None:
    if peer.staff_member.unit_id != unit_id or not peer.staff_member.active:
        raise ValidationError(
            {field: message or _("Choose an active peer worker of the patient's unit.")}
        )


def check_patient_end(values: dict[str, Any]) -> None:
    """Ending the peer support needs the day it ended, not ahead."""
    if values.get("status") == Patient.Status.ENDED and not values.get("ended_on"):
        raise ValidationError({"ended_on": _("Give the date the peer support ended.")})
    not_in_future(values, "ended_on")


def check_contact(values: dict[str, Any]) -> None:
    """A referral's other route of contact is described."""
    if (
        values.get("contact_route") == Referral.ContactRoute.OTHER
        and not (values.get("contact_other") or "").strip()
    ):
        raise ValidationError({"contact_other": _("Describe the other way of making contact.")})


def check_consent(values: dict[str, Any]) -> None:
    """Consent to peer support: a date and how it was given, both or neither; not ahead."""
    date, how = values.get("consent_date"), values.get("consent_given")
    if date and not how:
        raise ValidationError({"consent_given": _("Say how the consent was given.")})
    if how and not date:
        raise ValidationError({"consent_date": _("Give the date of the consent.")})
    not_in_future(values, "consent_date")


# Forms sent twice ---------------------------------------------------------------

# What a creating form makes: a referral, a note, a group note.
Made = Referral | Note | GroupNote


class AlreadySaved(Exception):
    """The form was sent before (a double click, the browser sending it again): `made` is
    what the first sending made. Nothing new is saved."""

    def __init__(self, made: Made) -> None:
        super().__init__(made)
        self.made = made


def _check_not_made(mine: QuerySet[Any], form_token: uuid.UUID | None) -> None:
    """Raise AlreadySaved when this person's form with `form_token` already made a row."""
    if form_token is not None:
        made = mine.filter(form_token=form_token).first()
        if made is not None:
            raise AlreadySaved(made)


def _save_once(obj: Made, mine: QuerySet[Any]) -> None:
    """Save a new row that carries its form's token. Two sendings at the same moment:
    the token's unique index lets one in, and the other gets the first one's row."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        token = obj.form_token
        if token is None or not type(obj).objects.filter(form_token=token).exists():
            raise
        _check_not_made(mine, token)
        # Another person's token (copied, not given to this person): refuse it.
        raise ValidationError(
            _("This form was already used. Open it again to start afresh.")
        ) from None


# Patients ----------------------------------------------------------------------


def _reference(value: str) -> str:
    """References compare case-insensitively on every database: store them in capitals."""
    return value.strip().upper()


@transaction.atomic
def patient_create(
    *,
    by: User | None,
    peer: PeerWorker,
    name: str,
    reference: str,
    consent_date: datetime.date | None = None,
    consent_given: str = "",
) -> Patient:
    """A patient who contacted the peer worker directly joins the peer's caseload."""
    check_consent({"consent_date": consent_date, "consent_given": consent_given})
    patient = Patient(
        unit=peer.staff_member.unit,
        name=name.strip(),
        reference=_reference(reference),
        consent_date=consent_date,
        consent_given=consent_given,
    )
    patient.full_clean()
    patient.save()
    patient.peers.add(peer)
    audit(by=by, action="patient_create", obj=patient)
    return patient


@transaction.atomic
def patient_update(
    *,
    patient: Patient,
    by: User | None,
    expected_version: int,
    peers: list[PeerWorker] | None = None,
    **changes: Any,
) -> Patient:
    """Change the patient's facts and who works with them; refuses a concurrent edit."""
    if "reference" in changes:
        changes["reference"] = _reference(changes["reference"])
    if "consent_date" in changes or "consent_given" in changes:
        check_consent(changes)
    if changes.get("status") == Patient.Status.ACTIVE:
        changes["ended_on"] = None
    check_patient_end(changes)
    if peers is not None:
        if not peers:
            raise ValidationError(
                {"peers": _("Choose at least one peer worker to work with the patient.")}
            )
        for peer in peers:
            _check_peer_in_unit(peer, patient.unit_id, "peers")
    summary = save_versioned(patient, expected_version=expected_version, changes=changes)
    if peers is not None:
        before = set(patient.peers.values_list("pk", flat=True))
        patient.peers.set(peers)
        if before != {p.pk for p in peers}:
            summary = ", ".join(filter(None, [summary, "peers"]))
    audit(by=by, action="patient_update", obj=patient, summary=summary)
    return patient


# Referrals ---------------------------------------------------------------------


@transaction.atomic
def referral_create(
    *,
    by: User | None,
    referred_by: StaffMember,
    peer: PeerWorker,
    patient_name: str,
    patient_reference: str,
    reason: str,
    contact_route: str,
    contact_other: str = "",
    form_token: uuid.UUID | None = None,
) -> Referral:
    """A member of staff refers a patient to a peer worker of their own unit. The form
    sent a second time (`form_token`) raises AlreadySaved with the first referral."""
    mine = Referral.objects.filter(referred_by=referred_by)
    _check_not_made(mine, form_token)
    check_contact({"contact_route": contact_route, "contact_other": contact_other})
    _check_peer_in_unit(
        peer, referred_by.unit_id, "peer", _("Choose an active peer worker of your own unit.")
    )
    if peer.staff_member_id == referred_by.pk:
        raise ValidationError({"peer": _("You cannot refer a patient to yourself.")})
    referral = Referral(
        unit_id=referred_by.unit_id,
        peer=peer,
        referred_by=referred_by,
        patient_name=patient_name.strip(),
        patient_reference=_reference(patient_reference),
        reason=reason.strip(),
        contact_route=contact_route,
        contact_other=contact_other.strip() if contact_route == "other" else "",
        form_token=form_token,
    )
    referral.full_clean(exclude=["form_token"])
    _save_once(referral, mine)
    peer_months_refresh(keys=[(referral.peer_id, timezone.localdate(referral.created_at))])
    audit(by=by, action="referral_create", obj=referral)
    transaction.on_commit(lambda: referral_notify(peer))
    return referral


def referral_notify(peer: PeerWorker) -> bool:
    """A short e-mail to the peer worker: a new referral waits, and where. No patient data:
    not the name, not the reason. A failed e-mail is logged; the referral stands."""
    member = peer.staff_member
    if not member.email or not member.active:
        return False
    with translation.override(member.language or settings.LANGUAGE_CODE):
        subject = _("A new referral in Peerprogram")
        body = _("You have a new referral. Read it and answer it in Peerprogram:\n\n%(link)s") % {
            "link": settings.SITE_URL.rstrip("/") + reverse("journal:referral_list")
        }
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [member.email])
    except OSError as exc:  # SMTP trouble
        logger.error("The new-referral e-mail to staff member %s failed: %s", member.pk, exc)
        return False
    return True


def _pending(referral: Referral) -> None:
    if referral.status != Referral.Status.PENDING:
        raise ValidationError(_("This referral has already been answered."))


@transaction.atomic
def referral_accept(
    *,
    referral: Referral,
    by: User | None,
    consent_date: datetime.date | None = None,
    consent_given: str = "",
) -> Patient:
    """The peer worker accepts: the patient joins their caseload (a known patient is reused)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _pending(referral)
    check_consent({"consent_date": consent_date, "consent_given": consent_given})
    patient = (
        Patient.objects.select_for_update()
        .filter(unit_id=referral.unit_id, reference=_reference(referral.patient_reference))
        .first()
    )
    # A known reference under another name is a mistake (or worse): joining that patient's
    # caseload would open their notes. The peer checks with the colleague first.
    if patient is not None and patient.name.casefold() != referral.patient_name.casefold():
        raise ValidationError(
            _(
                "The unit already has a patient with the reference %(reference)s, under "
                "another name. Check the reference with %(colleague)s before accepting."
            )
            % {"reference": patient.reference, "colleague": referral.referred_by.name}
        )
    if patient is None:
        patient = patient_create(
            by=by,
            peer=referral.peer,
            name=referral.patient_name,
            reference=referral.patient_reference,
            consent_date=consent_date,
            consent_given=consent_given,
        )
    else:
        changes: dict[str, Any] = {}
        if patient.status == Patient.Status.ENDED:
            changes.update(status=Patient.Status.ACTIVE, ended_on=None)
        if consent_date and not patient.consent_date:
            changes.update(consent_date=consent_date, consent_given=consent_given)
        if changes:
            save_versioned(patient, expected_version=patient.version, changes=changes)
        patient.peers.add(referral.peer)
    referral.status = Referral.Status.ACCEPTED
    referral.patient = patient
    referral.decided_at = timezone.now()
    referral.save(update_fields=["status", "patient", "decided_at"])
    peer_months_refresh(keys=[(referral.peer_id, timezone.localdate(referral.created_at))])
    audit(by=by, action="referral_accept", obj=referral)
    return patient


@transaction.atomic
def referral_decline(*, referral: Referral, by: User | None, reason: str) -> Referral:
    """The peer worker declines, with a reason the referring colleague reads."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _pending(referral)
    if not reason.strip():
        raise ValidationError({"decline_reason": _("Give a reason for declining.")})
    referral.status = Referral.Status.DECLINED
    referral.decline_reason = reason.strip()
    referral.decided_at = timezone.now()
    referral.full_clean()
    referral.save(update_fields=["status", "decline_reason", "decided_at"])
    peer_months_refresh(keys=[(referral.peer_id, timezone.localdate(referral.created_at))])
    audit(by=by, action="referral_decline", obj=referral)
    return referral


# Notes -------------------------------------------------------------------------


@transaction.atomic
def note_start(
    *,
    patient: Patient,
    peer: PeerWorker,
    by: User | None,
    date: datetime.date,
    place: str,
    activity: str,
    minutes: int,
    form_token: uuid.UUID | None = None,
) -> Note:
    """Begin a note with the patient: the facts of today; the text is written next. The
    form sent a second time (`form_token`) raises AlreadySaved with the first note."""
    mine = Note.objects.filter(peer=peer)
    _check_not_made(mine, form_token)
    if patient.status != Patient.Status.ACTIVE:
        raise ValidationError(_("The patient's peer support has ended. Reopen it to write notes."))
    if not patient.has_consent:
        raise ValidationError(
            _("Record the patient's consent to peer support before writing the first note.")
        )
    not_in_future({"date": date}, "date")
    note = Note(patient=patient, peer=peer, form_token=form_token)
    _save_once(note, mine)
    version = NoteVersion(
        note=note,
        number=1,
        date=date,
        place=place,
        activity=activity,
        minutes=minutes,
        written_by=peer,
    )
    version.full_clean()
    version.save()
    audit(by=by, action="note_start", obj=note)
    return note


def draft_of(note: Note) -> NoteVersion | None:
    return note.versions.filter(status=NoteVersion.Status.DRAFT).first()


@transaction.atomic
def draft_save(
    *, draft: NoteVersion, by: User | None, expected_version: int, changes: dict[str, Any]
) -> NoteVersion:
    """Save what was typed into a draft; refuses if someone else saved it since.

    Sending what is already stored is not a conflict (an autosave and the "next" button
    can cross each other), so only a real difference is refused.
    """
    stored = NoteVersion.objects.select_for_update().get(pk=draft.pk)
    if stored.status != NoteVersion.Status.DRAFT:
        raise ValidationError(_("This version is no longer a draft. Open the note again."))
    if stored.version != expected_version:
        if all(getattr(stored, name) == value for name, value in changes.items()):
            return stored
        raise ConcurrentEditError
    not_in_future(changes, "date")
    summary = save_versioned(
        stored, expected_version=expected_version, changes={**changes, "saved_at": timezone.now()}
    )
    if summary and summary != "saved_at":
        audit(by=by, action="note_draft_save", obj=stored.note, summary=summary)
    return stored


@transaction.atomic
def note_approve(*, note: Note, by: User | None, expected_version: int) -> Note:
    """The patient has read the draft and approves it: it becomes the note as it stands."""
    draft = draft_of(note)
    if draft is None:
        raise ValidationError(_("There is no draft to approve."))
    if draft.version != expected_version:
        raise ValidationError(
            _(
                "The draft changed after it was shown. Read it again with the patient "
                "before approving."
            )
        )
    if not any(getattr(draft, name).strip() for name in CHIME_FIELDS):
        raise ValidationError(
            _("Write at least one of the five CHIME sections before the patient approves.")
        )
    now = timezone.now()
    # The note as it stood counted in the month of its date; the approved draft counts in its.
    before = (
        NoteVersion.objects.filter(pk=note.current_id).values_list("date", flat=True).first()
        if note.current_id
        else None
    )
    NoteVersion.objects.filter(pk=draft.pk).update(
        status=NoteVersion.Status.APPROVED, approved_at=now
    )
    note.current_id = draft.pk
    note.status = Note.Status.FINAL
    note.save(update_fields=["current", "status"])
    peer_months_refresh(keys=[(note.peer_id, day) for day in (before, draft.date) if day])
    audit(by=by, action="note_approve", obj=note, summary=f"v{draft.number}")
    return note


@transaction.atomic
def note_revise(*, note: Note, peer: PeerWorker, by: User | None) -> NoteVersion:
    """Change a final note: a new draft version that needs the patient's approval again."""
    note = Note.objects.select_for_update().get(pk=note.pk)
    if note.status != Note.Status.FINAL:
        raise ValidationError(_("Only a final note can be changed."))
    existing = draft_of(note)
    if existing is not None:
        return existing
    current = note.current
    copy = {name: getattr(current, name) for name in (*FACT_FIELDS, *CONTENT_FIELDS)}
    last = note.versions.order_by("-number").values_list("number", flat=True).first()
    draft = NoteVersion.objects.create(note=note, number=(last or 0) + 1, written_by=peer, **copy)
    audit(by=by, action="note_revise", obj=note, summary=f"v{draft.number}")
    return draft


@transaction.atomic
def draft_discard(*, note: Note, by: User | None) -> Note:
    """The patient did not approve: the draft's text is removed, the fact that it existed stays."""
    draft = draft_of(note)
    if draft is None:
        raise ValidationError(_("There is no draft to discard."))
    NoteVersion.objects.filter(pk=draft.pk).update(
        status=NoteVersion.Status.DISCARDED, **dict.fromkeys(CONTENT_FIELDS, "")
    )
    if note.current_id is None:
        note.status = Note.Status.DISCARDED
        note.save(update_fields=["status"])
    audit(by=by, action="note_discard", obj=note, summary=f"v{draft.number}")
    return note


@transaction.atomic
def note_mark_error(*, note: Note, by: User | None, reason: str) -> Note:
    """A final note entered by mistake: marked, with the reason, and kept in the history."""
    if note.status != Note.Status.FINAL:
        raise ValidationError(
            _("Only a final note can be marked as entered in error; a draft is discarded.")
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the note was entered in error.")})
    draft = draft_of(note)
    if draft is not None:
        draft_discard(note=note, by=by)
    note.status = Note.Status.ERROR
    note.error_reason = reason.strip()
    note.error_at = timezone.now()
    note.save(update_fields=["status", "error_reason", "error_at"])
    counted_on = NoteVersion.objects.filter(current_of=note).values_list("date", flat=True)
    peer_months_refresh(keys=[(note.peer_id, day) for day in counted_on])
    audit(by=by, action="note_mark_error", obj=note)
    return note


@transaction.atomic
def concern_raise(*, note: Note, by: User | None) -> Note:
    """Duty to inform: the note carries a concern until the peer records it was passed on."""
    if note.concern:
        return note
    if note.status not in (Note.Status.DRAFT, Note.Status.FINAL):
        raise ValidationError(_("A discarded note or one entered in error cannot carry a concern."))
    note.concern = True
    note.concern_raised_at = timezone.now()
    note.save(update_fields=["concern", "concern_raised_at"])
    audit(by=by, action="note_concern_raise", obj=note)
    return note


@transaction.atomic
def concern_record(*, note: Note, by: User, passed_to: str, passed_at: datetime.datetime) -> Note:
    """Record to whom and when the concern was passed to the team."""
    if not note.concern:
        raise ValidationError(_("The note carries no concern."))
    if note.concern_passed_at is not None:
        raise ValidationError(_("It is already recorded that the concern was passed on."))
    if not passed_to.strip():
        raise ValidationError({"passed_to": _("Say to whom the concern was passed.")})
    if passed_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"passed_at": _("The time cannot be in the future.")})
    note.concern_passed_to = passed_to.strip()
    note.concern_passed_at = passed_at
    note.full_clean()
    note.save(update_fields=["concern_passed_to", "concern_passed_at"])
    audit(by=by, action="note_concern_record", obj=note)
    return note


# Group notes -------------------------------------------------------------------


@transaction.atomic
def group_note_create(
    *, by: User | None, peer: PeerWorker, form_token: uuid.UUID | None = None, **fields: Any
) -> GroupNote:
    """A group session's note: topic, size and themes, never about one person. The form
    sent a second time (`form_token`) raises AlreadySaved with the first group note."""
    mine = GroupNote.objects.filter(peer=peer)
    _check_not_made(mine, form_token)
    not_in_future(fields, "date")
    note = GroupNote(peer=peer, form_token=form_token, **fields)
    note.full_clean(exclude=["form_token"])
    _save_once(note, mine)
    peer_months_refresh(keys=[(note.peer_id, note.date)])
    audit(by=by, action="group_note_create", obj=note)
    return note


@transaction.atomic
def group_note_update(
    *, note: GroupNote, by: User | None, expected_version: int, **changes: Any
) -> GroupNote:
    not_in_future(changes, "date")
    before = GroupNote.objects.filter(pk=note.pk).values_list("date", flat=True).first()
    summary = save_versioned(note, expected_version=expected_version, changes=changes)
    peer_months_refresh(keys=[(note.peer_id, day) for day in (before, note.date) if day])
    audit(by=by, action="group_note_update", obj=note, summary=summary)
    return note


# The statistics' monthly figures ---------------------------------------------------------


# The months a bulk load has changed so far (`peer_months_deferred`), or None.
_deferred_months: ContextVar[set[tuple[int, datetime.date]] | None] = ContextVar(
    "deferred_months", default=None
)


@contextlib.contextmanager
def peer_months_deferred() -> Iterator[None]:
    """Within it, the months each change names are gathered and counted once, at its end:
    for a bulk load through the services (the demo programme), which would otherwise count
    the same month again for each of its notes. Use it inside the load's transaction."""
    gathered: set[tuple[int, datetime.date]] = set()
    token = _deferred_months.set(gathered)
    try:
        yield
    finally:
        _deferred_months.reset(token)
    peer_months_refresh(keys=gathered)


@transaction.atomic
def peer_months_refresh(*, keys: Iterable[tuple[int, datetime.date]] | None = None) -> int:
    """Count the given months of the given peer workers again ((peer id, any day of the
    month)); part of every change to a final note, a group note or a referral, in its
    transaction. Without `keys`, every month of every peer worker (`manage.py
    rebuild_statistics`, after a bulk load or a repair). Returns the months written
    (none while `peer_months_deferred` gathers them)."""
    gathering = _deferred_months.get()
    if keys is not None and gathering is not None:
        gathering.update((peer_id, day.replace(day=1)) for peer_id, day in keys)
        return 0
    if keys is None:
        counted = count_peer_months()
        stored = PeerMonth.objects.values_list("peer_id", "month")
        keys = sorted(set(counted) | set(stored))
    else:
        keys = sorted({(peer_id, day.replace(day=1)) for peer_id, day in keys})
        if not keys:
            return 0
        counted = None
    # The rows first, then their locks, then the counting: a second change to the same
    # month waits for the first to commit, and then counts what the first wrote.
    PeerMonth.objects.bulk_create(
        [PeerMonth(peer_id=peer_id, month=month) for peer_id, month in keys],
        ignore_conflicts=True,
        batch_size=2000,
    )
    peer_ids, months = {k[0] for k in keys}, {k[1] for k in keys}
    rows = {
        (row.peer_id, row.month): row
        for row in PeerMonth.objects.select_for_update()
        .filter(peer_id__in=peer_ids, month__in=months)
        .order_by("peer_id", "month")
    }
    if counted is None:
        counted = count_peer_months(peer_ids, min(months), max(months) + relativedelta(months=1))
    empty = dict.fromkeys(COUNTED, 0)
    changed = []
    for key in keys:
        row = rows[key]
        for name, value in counted.get(key, empty).items():
            setattr(row, name, value)
        changed.append(row)
    PeerMonth.objects.bulk_update(changed, COUNTED, batch_size=500)
    return len(changed)


# The access log ----------------------------------------------------------------


def access_log(
    *,
    user: User,
    action: str,
    notes: Sequence[Note] = (),
    version_number: int | None = None,
    versions: Sequence[NoteVersion] = (),
) -> None:
    """One row per note whose content the user is shown (given as notes, or as the versions
    shown, each with its number). Written before the content is."""
    who = getattr(getattr(user, "staff_member", None), "name", "") or user.get_username()
    read = [(note.patient_id, note.pk, version_number) for note in notes]
    read += [(v.note.patient_id, v.note_id, v.number) for v in versions]
    NoteAccess.objects.bulk_create(
        NoteAccess(
            user=user,
            who=who,
            patient_id=patient_id,
            note_id=note_id,
            version_number=number,
            action=action,
        )
        for patient_id, note_id, number in read
    )


def outcome_access_log(*, user: User, patient_id: int, action: str) -> None:
    """A row for a read of a patient's outcome answers (the evaluation app's measurements
    are patient data like note content). Written before the answers are shown."""
    who = getattr(getattr(user, "staff_member", None), "name", "") or user.get_username()
    NoteAccess.objects.create(user=user, who=who, patient_id=patient_id, action=action)


# Retention ---------------------------------------------------------------------


@transaction.atomic
def notes_remove_expired(*, today: datetime.date, months: int) -> dict[str, int]:
    """Remove patients whose peer support ended more than `months` ago, with their notes.

    Returns what was removed. Running it again removes nothing more. The access log
    stays: it holds no content, and it is the record of who read what.
    """
    cutoff = today - relativedelta(months=months)
    patients = Patient.objects.filter(status=Patient.Status.ENDED, ended_on__lt=cutoff)
    ids = list(patients.values_list("pk", flat=True))
    counts = {
        "patients": len(ids),
        "notes": Note.objects.filter(patient_id__in=ids).count(),
        "versions": NoteVersion.objects.filter(note__patient_id__in=ids).count(),
        "referrals": Referral.objects.filter(patient_id__in=ids).count(),
    }
    # Declined and never-answered referrals name a patient too; they go after the same time.
    declined = Referral.objects.filter(
        Q(status=Referral.Status.DECLINED, decided_at__date__lt=cutoff)
        | Q(status=Referral.Status.PENDING, created_at__date__lt=cutoff)
    )
    counts["referrals"] += declined.count()
    # The peer workers' months that lose referrals, and those that lose notes.
    counted_in = {
        (peer_id, timezone.localdate(at))
        for peer_id, at in Referral.objects.filter(Q(pk__in=declined) | Q(patient_id__in=ids))
        .order_by()
        .values_list("peer_id", "created_at")
    }
    declined.delete()
    counted_in.update(
        Note.objects.filter(patient_id__in=ids, status=Note.Status.FINAL).values_list(
            "peer_id", "current__date"
        )
    )
    if ids:
        # A note points at its current version (PROTECT): let go of it first.
        Note.objects.filter(patient_id__in=ids).update(current=None, status=Note.Status.DRAFT)
        NoteVersion.objects.filter(note__patient_id__in=ids).delete()
        Note.objects.filter(patient_id__in=ids).delete()
        Referral.objects.filter(patient_id__in=ids).delete()
        Patient.peers.through.objects.filter(patient_id__in=ids).delete()
        Patient.objects.filter(pk__in=ids).delete()
    peer_months_refresh(keys=counted_in)
    return counts


@transaction.atomic
def programme_figures_store(today: datetime.date) -> ProgrammeFigures:
    """Work out the programme's figures and keep them as today's, in place of earlier
    days': its level over the statistics' usual period (the complete months of the twelve
    to this one) and every complete month's totals. For the daily run; safe to run again
    the same day."""
    months = months_back(today)
    level = programme_level(months, complete_months(months, today), today, stored=False)
    ProgrammeFigures.objects.exclude(day=today).delete()
    row, _new = ProgrammeFigures.objects.update_or_create(
        day=today,
        defaults={
            "level": level,
            "month_totals": month_totals_to_keep(today),
            "made_at": timezone.now(),
        },
    )
    return row
