"""Patients, referrals, CHIME peer notes with their versions, group notes and the access log.

The content of a note (the five CHIME sections, the patient's own words, the next steps)
is special-category health data. Only the peer workers on the patient's caseload read it,
and every read writes a `NoteAccess` row. Everything else in the programme sees counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peerprogram.models import (
    PeerWorker,
    StaffMember,
    Unit,
    VersionedModel,
    field_label,
    no_control_characters,
)

# A Danish CPR number: six digits for the birth date, an optional dash, four digits.
CPR_PATTERN = re.compile(r"(?<!\d)\d{6}-?\d{4}(?!\d)")


def no_cpr_number(value: str) -> None:
    """The app never holds a CPR number; the unit's own reference is enough to find the patient."""
    if CPR_PATTERN.search(value or ""):
        raise ValidationError(
            _(
                "This looks like a CPR number. Do not enter CPR numbers here: use the unit's "
                "own reference or initials."
            ),
            code="cpr",
        )


CHIME_FIELDS = ("connectedness", "hope", "identity", "meaning", "empowerment")
# Everything in a version that the patient reads and approves (the content).
CONTENT_FIELDS = (*CHIME_FIELDS, "patient_words", "next_steps")


def form_token_field() -> models.UUIDField:
    """The one-time token of the form that created the row: the form sent a second time
    (a double click, the browser sending it again) finds the row instead of making another.
    Empty for rows made otherwise (imports, the demo, forms opened before the token)."""
    return models.UUIDField(_("form token"), null=True, blank=True, unique=True, editable=False)


class Place(models.TextChoices):
    WARD = "ward", _("Ward")
    OUTPATIENT = "outpatient", _("Outpatient clinic")
    HOME = "home", _("Patient's home")
    COMMUNITY = "community", _("Local community")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")


class Patient(VersionedModel):
    class ConsentGiven(models.TextChoices):
        ORALLY = "orally", _("Orally, to the peer worker")
        WRITING = "writing", _("In writing")
        STAFF = "staff", _("Orally, to another member of staff")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", pgettext_lazy("patient status", "Ended")

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="patients"
    )
    name = models.CharField(
        _("name or initials"),
        max_length=100,
        validators=[no_control_characters, no_cpr_number],
        help_text=_("As the unit usually refers to the patient, for example initials."),
    )
    reference = models.CharField(
        _("internal reference"),
        max_length=40,
        validators=[no_control_characters, no_cpr_number],
        help_text=_("The unit's own reference. Never a CPR number."),
    )
    peers = models.ManyToManyField(
        PeerWorker,
        verbose_name=_("peer workers"),
        related_name="patients",
        help_text=_("The peer workers working with the patient. Only they read the notes."),
    )
    consent_date = models.DateField(_("consent to peer support given on"), null=True, blank=True)
    consent_given = models.CharField(
        _("how consent was given"), max_length=20, choices=ConsentGiven.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "reference"],
                name="patient_reference_unique_in_unit",
                violation_error_message=_("The unit already has a patient with this reference."),
            ),
            models.CheckConstraint(
                condition=(Q(status="active") & Q(ended_on__isnull=True))
                | (Q(status="ended") & Q(ended_on__isnull=False)),
                name="patient_ended_on_with_status",
                violation_error_message=_(
                    "A patient whose peer support has ended needs an end date; an active "
                    "patient has none."
                ),
            ),
            models.CheckConstraint(
                condition=Q(consent_date__isnull=True, consent_given="")
                | (Q(consent_date__isnull=False) & ~Q(consent_given="")),
                name="patient_consent_date_and_how",
                violation_error_message=_(
                    "Give both the date of the consent and how it was given."
                ),
            ),
        ]
        indexes = [models.Index(fields=["status", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.reference})"

    def get_absolute_url(self) -> str:
        return reverse("journal:patient_detail", args=[self.pk])

    @property
    def has_consent(self) -> bool:
        return self.consent_date is not None


class Referral(models.Model):
    class ContactRoute(models.TextChoices):
        PATIENT = "patient", _("The patient contacts the peer worker")
        CONTACT_PERSON = "contact_person", _("The contact person arranges it")
        ACTION_PLAN = "action_plan", _("Part of the action plan or first conversation")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="referrals"
    )
    peer = models.ForeignKey(
        PeerWorker,
        verbose_name=_("peer worker"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    referred_by = models.ForeignKey(
        StaffMember,
        verbose_name=_("referred by"),
        on_delete=models.PROTECT,
        related_name="referrals_made",
    )
    patient_name = models.CharField(
        _("patient's name or initials"),
        max_length=100,
        validators=[no_control_characters, no_cpr_number],
    )
    patient_reference = models.CharField(
        _("internal reference"),
        max_length=40,
        validators=[no_control_characters, no_cpr_number],
        help_text=_("The unit's own reference. Never a CPR number."),
    )
    reason = models.TextField(
        _("reason"),
        max_length=1000,
        validators=[no_cpr_number],
        help_text=_("A few lines: why peer support, and what the patient wishes for."),
    )
    contact_route = models.CharField(
        _("how contact is made"), max_length=20, choices=ContactRoute.choices
    )
    contact_other = models.CharField(
        _("other way of contact"),
        max_length=200,
        blank=True,
        validators=[no_control_characters],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decline_reason = models.TextField(_("reason for declining"), max_length=1000, blank=True)
    patient = models.ForeignKey(
        Patient,
        verbose_name=_("patient"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="referrals",
    )
    created_at = models.DateTimeField(_("referred"), default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)
    form_token = form_token_field()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(contact_route="other") | ~Q(contact_other=""),
                name="referral_other_route_described",
                violation_error_message=_("Describe the other way of making contact."),
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="referral_declined_with_reason",
                violation_error_message=_("Give a reason for declining."),
            ),
        ]
        indexes = [
            models.Index(fields=["peer", "status"]),
            # The statistics count a page of peer workers' referrals per month: by the
            # date alone, the database read the whole country's year.
            models.Index(fields=["peer", "created_at"], name="referral_peer_created"),
        ]

    def __str__(self) -> str:
        return f"{self.patient_name} → {self.peer}"

    def get_absolute_url(self) -> str:
        return reverse("journal:referral_detail", args=[self.pk])


class Note(models.Model):
    """One conversation or activity with one patient. Its text lives in `NoteVersion`s."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FINAL = "final", _("Final")
        ERROR = "error", _("Entered in error")
        DISCARDED = "discarded", _("Discarded draft")

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.CASCADE, related_name="notes"
    )
    peer = models.ForeignKey(
        PeerWorker, verbose_name=_("peer worker"), on_delete=models.PROTECT, related_name="notes"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # The version the patient approved last: the note as it stands. Statistics read it.
    current = models.OneToOneField(
        "NoteVersion",
        verbose_name=_("current version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="current_of",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    error_reason = models.TextField(_("why it was entered in error"), blank=True)
    error_at = models.DateTimeField(_("marked as entered in error"), null=True, blank=True)
    # Duty to inform: the peer flags a concern and then records that it was passed on.
    concern = models.BooleanField(_("concern to pass on"), default=False)
    concern_raised_at = models.DateTimeField(_("concern flagged"), null=True, blank=True)
    concern_passed_to = models.CharField(
        _("passed to"), max_length=200, blank=True, validators=[no_control_characters]
    )
    concern_passed_at = models.DateTimeField(_("passed on"), null=True, blank=True)
    form_token = form_token_field()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = pgettext_lazy("journal", "note")
        verbose_name_plural = pgettext_lazy("journal", "notes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="error") | ~Q(error_reason=""),
                name="note_error_with_reason",
                violation_error_message=_("Say why the note was entered in error."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "discarded"]) | Q(current__isnull=False),
                name="note_final_has_approved_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Peer note')} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("journal:note_detail", args=[self.pk])

    @property
    def concern_open(self) -> bool:
        return self.concern and self.concern_passed_at is None


class NoteVersion(VersionedModel):
    """The text of a note as written at one time. A draft until the patient approves it.

    `number` is the version the reader sees (1, 2, …); `version` (from VersionedModel)
    counts saves of a draft, so two people typing in the same draft are noticed.
    """

    class Activity(models.TextChoices):
        CONVERSATION = "conversation", _("Individual conversation")
        BRIDGE = "bridge", _("Bridge-building")
        OTHER = "other", _("Other peer activity")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved by the patient")
        DISCARDED = "discarded", _("Discarded")

    note = models.ForeignKey(
        Note,
        verbose_name=pgettext_lazy("journal", "note"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("where"), max_length=20, choices=Place.choices)
    activity = models.CharField(
        _("activity"), max_length=20, choices=Activity.choices, default=Activity.CONVERSATION
    )
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    connectedness = models.TextField(_("Connectedness"), blank=True)
    hope = models.TextField(_("Hope"), blank=True)
    identity = models.TextField(_("Identity"), blank=True)
    meaning = models.TextField(_("Meaning"), blank=True)
    empowerment = models.TextField(_("Empowerment"), blank=True)
    patient_words = models.TextField(_("the patient's own words"), blank=True)
    next_steps = models.TextField(_("agreed next steps"), blank=True)
    written_by = models.ForeignKey(
        PeerWorker, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved by the patient"), null=True, blank=True)

    class Meta:
        ordering = ["note", "number"]
        verbose_name = _("note version")
        verbose_name_plural = _("note versions")
        constraints = [
            models.UniqueConstraint(fields=["note", "number"], name="note_version_number_unique"),
            models.UniqueConstraint(
                fields=["note"],
                condition=Q(status="draft"),
                name="note_one_draft_at_a_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="note_version_approved_with_time",
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=600),
                name="note_version_minutes_in_range",
                violation_error_message=_("Minutes must be between 1 and 600."),
            ),
        ]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{_('Peer note')} #{self.note_id} v{self.number}"

    @property
    def chime(self) -> list[tuple[str, str, str]]:
        """(field name, heading, text) for the five CHIME sections, filled or not."""
        return [
            (name, field_label(NoteVersion, name), getattr(self, name)) for name in CHIME_FIELDS
        ]

    @property
    def chime_letters(self) -> str:
        """C H I M E for the sections that are filled, for lists that show no content."""
        return " ".join(name[0].upper() for name in CHIME_FIELDS if getattr(self, name).strip())


class GroupNote(VersionedModel):
    """A group session: its topic, size and CHIME themes. No individual health details."""

    # The unit is the peer worker's, as for individual notes (the statistics group by it).
    peer = models.ForeignKey(
        PeerWorker,
        verbose_name=_("peer worker"),
        on_delete=models.PROTECT,
        related_name="group_notes",
    )
    co_facilitator = models.CharField(
        _("co-facilitator"), max_length=200, blank=True, validators=[no_control_characters]
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("where"), max_length=20, choices=Place.choices)
    topic = models.CharField(
        _("topic"), max_length=200, validators=[no_control_characters, no_cpr_number]
    )
    participants = models.PositiveSmallIntegerField(
        _("number of participants"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    connectedness = models.BooleanField(_("Connectedness"), default=False)
    hope = models.BooleanField(_("Hope"), default=False)
    identity = models.BooleanField(_("Identity"), default=False)
    meaning = models.BooleanField(_("Meaning"), default=False)
    empowerment = models.BooleanField(_("Empowerment"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    form_token = form_token_field()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("group note")
        verbose_name_plural = _("group notes")
        constraints = [
            models.CheckConstraint(
                condition=Q(participants__gte=1) & Q(minutes__gte=1),
                name="group_note_participants_and_minutes",
            ),
        ]
        indexes = [models.Index(fields=["peer", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("journal:group_note_edit", args=[self.pk])

    @property
    def themes(self) -> list[str]:
        return [field_label(GroupNote, name) for name in CHIME_FIELDS if getattr(self, name)]


class MonthCounts(models.Model):
    """What the statistics count of a month's notes, group notes and referrals."""

    notes = models.PositiveIntegerField(pgettext_lazy("journal", "notes"), default=0)
    conversations = models.PositiveIntegerField(_("conversations"), default=0)
    bridge = models.PositiveIntegerField(_("bridge-building"), default=0)
    other = models.PositiveIntegerField(_("other peer activities"), default=0)
    # Of the notes and the group sessions together.
    minutes = models.PositiveIntegerField(_("minutes"), default=0)
    group_sessions = models.PositiveIntegerField(_("group sessions"), default=0)
    # Notes with the section written, and group sessions with the theme ticked.
    connectedness = models.PositiveIntegerField(_("Connectedness"), default=0)
    hope = models.PositiveIntegerField(_("Hope"), default=0)
    identity = models.PositiveIntegerField(_("Identity"), default=0)
    meaning = models.PositiveIntegerField(_("Meaning"), default=0)
    empowerment = models.PositiveIntegerField(_("Empowerment"), default=0)
    # Referrals made in the month (by the local day they were made), and of them accepted.
    referrals = models.PositiveIntegerField(_("referrals received"), default=0)
    accepted = models.PositiveIntegerField(_("referrals accepted"), default=0)

    class Meta:
        abstract = True


class PeerMonth(MonthCounts):
    """What one peer worker did in one month, counted: the statistics read these rows.

    Kept by the services in the same transaction as every change to a final note or a
    group note (`services.peer_months_refresh`), so the figures are exact at once; counted
    again from the notes by `manage.py rebuild_statistics` after a bulk load. Counts only,
    never a note's text. The referrals made to the peer worker in the month are kept with
    every referral made, answered or removed.
    """

    peer = models.ForeignKey(
        PeerWorker, verbose_name=_("peer worker"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))

    class Meta:
        ordering = ["month", "peer_id"]
        verbose_name = _("month of peer work")
        verbose_name_plural = _("months of peer work")
        constraints = [
            models.UniqueConstraint(fields=["peer", "month"], name="peer_month_unique"),
        ]
        # The programme-wide totals read every peer worker's rows of a period.
        indexes = [models.Index(fields=["month"])]

    def __str__(self) -> str:
        return f"{self.peer} {self.month:%Y-%m}"


class ProgrammeFigures(models.Model):
    """The whole programme's figures on a day, as the daily run worked them out, today's
    row only; read by the statistics instead of going through every peer worker's months
    on each request:
    - `level`: conversations per contracted hour over the statistics' usual period (the
      complete months of the twelve to the day's month: the period follows from the day),
      what a unit with a single peer worker is compared with;
    - `month_totals`: every complete month's totals of every peer worker
      (`{"columns": [...], "months": {"2026-11-01": [...]}}`, the columns of the
      statistics' counts), what the Centre's statistics show as the programme's totals.
    The month under way is always counted live; another period's level is worked out live.
    """

    day = models.DateField(_("worked out on"), unique=True)
    made_at = models.DateTimeField(_("worked out at"), default=timezone.now)
    level = models.FloatField(_("conversations per contracted hour"), null=True, blank=True)
    month_totals = models.JSONField(_("totals of the complete months"), default=dict)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("programme figures")
        verbose_name_plural = _("programme figures")

    def __str__(self) -> str:
        return str(self.day)


class AppendOnlyQuerySet(models.QuerySet["NoteAccess"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("The access log cannot be changed.")

    def delete(self) -> NoReturn:
        raise PermissionError("The access log cannot be deleted.")

    def bulk_create(
        self, objs: Iterable[NoteAccess], *args: Any, **kwargs: Any
    ) -> list[NoteAccess]:
        # An "upsert" would overwrite logged rows.
        if kwargs.get("update_conflicts") or kwargs.get("ignore_conflicts"):
            raise PermissionError("The access log only takes new rows.")
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(
        self, objs: Iterable[NoteAccess], fields: Iterable[str], batch_size: int | None = None
    ) -> NoReturn:
        raise PermissionError("The access log cannot be changed.")


class NoteAccess(models.Model):
    """One row per read of note content. Append-only: rows are never changed or deleted.

    Patient and note are kept as plain numbers, not foreign keys, so the log outlives the
    notes it speaks of (the retention command removes notes, never the log).
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed the note")
        VERSION = "version", _("Viewed an earlier version")
        COWRITE = "cowrite", _("Wrote with the patient")
        COPY = "copy", _("Copied for the hospital record")
        PRINT = "print", _("Printed (PDF)")
        OUTCOME = "outcome", _("Read outcome answers")
        MEASURE = "measure", _("Filled in an outcome measure with the patient")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # The name at the time of reading: the login may be removed later.
    who = models.CharField(_("who"), max_length=200)
    patient_id = models.PositiveBigIntegerField(_("patient"), db_index=True)
    # None: a read of outcome answers (evaluation), not of a note.
    note_id = models.PositiveBigIntegerField(pgettext_lazy("journal", "note"), null=True)
    version_number = models.PositiveSmallIntegerField(_("version"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("note access")
        verbose_name_plural = _("note access log")
        default_permissions = ("view",)
        # Related-object access goes through the base manager: make it the guarded one.
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.who} {self.action} note #{self.note_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The access log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("The access log cannot be deleted.")
