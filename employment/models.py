"""The peer worker's employment after hire: the function description and its revisions.

The Centre keeps one template; a leader drafts each peer worker's description from it, and
leader and peer worker both agree to it. An agreed revision is never changed again: a
change is a new revision, and the earlier ones stay readable.
"""

from __future__ import annotations

import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from journal.models import Referral
from peerprogram.models import PeerWorker, VersionedModel, no_control_characters

# How colleagues bring a patient and the peer worker together: the referral's own routes.
ContactRoute = Referral.ContactRoute


class TaskKind(models.TextChoices):
    """The known kinds of peer task (the North Denmark guide), each with its hours a week."""

    CONVERSATIONS = "conversations", _("Individual conversations")
    GROUPS = "groups", _("Recovery-oriented groups with a co-facilitator")
    BRIDGE = "bridge", _("Bridge-building to everyday life")
    PSYCHOEDUCATION = "psychoeducation", _("The peer perspective in psychoeducation")
    CAFE = "cafe", _("Peer café")
    MEETINGS = "meetings", _("Treatment, board and network meetings")
    OTHER = "other", _("Other tasks")


def hours_field(kind: TaskKind) -> str:
    return f"hours_{kind.value}"


HOURS_FIELDS = [hours_field(kind) for kind in TaskKind]


class FunctionTexts(models.Model):
    """The texts a description starts from: the template's, then the peer worker's own."""

    purpose = models.TextField(
        _("purpose of peer support"), max_length=4000, validators=[no_control_characters]
    )
    values = models.TextField(
        _("values"),
        max_length=2000,
        validators=[no_control_characters],
        help_text=_("Influence, trust, decency and professionalism: what they mean here."),
    )
    not_tasks = models.TextField(
        _("tasks the peer worker does not do"),
        max_length=2000,
        validators=[no_control_characters],
        help_text=_("For example medication or nursing tasks. One per line."),
    )
    criteria = models.TextField(
        _("which patients are offered peer support"),
        max_length=2000,
        validators=[no_control_characters],
    )
    referral_agreement = models.TextField(
        _("referral agreement"),
        max_length=2000,
        validators=[no_control_characters],
        help_text=_("How colleagues bring patients and the peer worker together."),
    )

    class Meta:
        abstract = True


TEXT_FIELDS = ["purpose", "values", "not_tasks", "criteria", "referral_agreement"]


class FunctionTemplate(FunctionTexts, VersionedModel):
    """The Centre's template for function descriptions: one row, edited in the app."""

    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("function description template")
        verbose_name_plural = _("function description templates")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="function_template_one")]

    def __str__(self) -> str:
        return str(_("Function description template"))


def _hours(kind: TaskKind) -> models.PositiveSmallIntegerField[Any, Any]:
    return models.PositiveSmallIntegerField(kind.label, default=0)


class FunctionDescription(FunctionTexts, VersionedModel):
    """One revision of a peer worker's function description.

    A draft until both the leader and the peer worker have agreed to it; any change to a
    draft takes back the agreements already given. At most one draft per peer worker.
    """

    peer = models.ForeignKey(
        PeerWorker,
        verbose_name=_("peer worker"),
        on_delete=models.CASCADE,
        related_name="function_descriptions",
    )
    number = models.PositiveSmallIntegerField(_("revision"))
    hours_conversations = _hours(TaskKind.CONVERSATIONS)
    hours_groups = _hours(TaskKind.GROUPS)
    hours_bridge = _hours(TaskKind.BRIDGE)
    hours_psychoeducation = _hours(TaskKind.PSYCHOEDUCATION)
    hours_cafe = _hours(TaskKind.CAFE)
    hours_meetings = _hours(TaskKind.MEETINGS)
    hours_other = _hours(TaskKind.OTHER)
    other_tasks = models.CharField(
        _("the other tasks"),
        max_length=500,
        blank=True,
        validators=[no_control_characters],
        help_text=_("What the hours for other tasks are spent on."),
    )
    contact_routes = models.JSONField(_("agreed ways of contact"), default=list, blank=True)
    review_on = models.DateField(
        _("review on"),
        help_text=_("Well-defined tasks first, more freedom later: review after 3 and 12 months."),
    )
    leader_agreed_on = models.DateField(_("agreed by the leader"), null=True, blank=True)
    leader_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader who agreed"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    peer_agreed_on = models.DateField(_("agreed by the peer worker"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["peer", "-number"]
        verbose_name = _("function description")
        verbose_name_plural = _("function descriptions")
        constraints = [
            models.UniqueConstraint(fields=["peer", "number"], name="function_revision_unique"),
            models.UniqueConstraint(
                fields=["peer"],
                condition=Q(leader_agreed_on__isnull=True) | Q(peer_agreed_on__isnull=True),
                name="function_one_draft_per_peer",
                violation_error_message=_(
                    "This peer worker already has a draft: finish or change that one."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.peer} ({self.number})"

    def get_absolute_url(self) -> str:
        return reverse("employment:description_detail", args=[self.pk])

    @property
    def agreed(self) -> bool:
        return self.leader_agreed_on is not None and self.peer_agreed_on is not None

    @property
    def agreed_on(self) -> datetime.date | None:
        """The day the second of the two agreed: the revision is in force from then."""
        if self.leader_agreed_on is None or self.peer_agreed_on is None:
            return None
        return max(self.leader_agreed_on, self.peer_agreed_on)

    @property
    def total_hours(self) -> int:
        return sum(getattr(self, name) for name in HOURS_FIELDS)

    @property
    def tasks(self) -> list[tuple[str, int]]:
        """The chosen kinds of task with their hours a week, in the guide's order."""
        rows = []
        for kind in TaskKind:
            hours = getattr(self, hours_field(kind))
            if hours:
                label = str(kind.label)
                if kind == TaskKind.OTHER and self.other_tasks:
                    label = f"{label}: {self.other_tasks}"
                rows.append((label, hours))
        return rows

    @property
    def route_labels(self) -> list[str]:
        return [str(ContactRoute(r).label) for r in self.contact_routes if r in ContactRoute]

    @property
    def not_task_lines(self) -> list[str]:
        return [line.strip() for line in self.not_tasks.splitlines() if line.strip()]


def proposed_review(peer: PeerWorker, today: datetime.date) -> datetime.date:
    """The guides' rhythm: review 3 months after the start, then at 12 months, then yearly."""
    for months in (3, 12):
        day = peer.start_date + relativedelta(months=months)
        if day > today:
            return day
    return today + relativedelta(years=1)


# The leader's follow-up: talks, MUS and their agreed actions ----------------------------


class FollowUpRhythm(VersionedModel):
    """How often the leader and the peer worker talk: every N days in probation, then
    every N months (the mini-guide: 14 days, then monthly). Editable per peer worker; a
    peer worker without a row follows the defaults."""

    peer = models.OneToOneField(
        PeerWorker,
        verbose_name=_("peer worker"),
        on_delete=models.CASCADE,
        related_name="follow_up_rhythm",
    )
    # The validators put the errors on their fields; the constraints hold the database.
    probation_days = models.PositiveSmallIntegerField(
        _("days between talks in probation"),
        default=14,
        validators=[
            MinValueValidator(7, _("Talks in probation: every 7 to 60 days.")),
            MaxValueValidator(60, _("Talks in probation: every 7 to 60 days.")),
        ],
    )
    after_months = models.PositiveSmallIntegerField(
        _("months between talks after probation"),
        default=1,
        validators=[
            MinValueValidator(1, _("Talks after probation: every 1 to 6 months.")),
            MaxValueValidator(6, _("Talks after probation: every 1 to 6 months.")),
        ],
    )

    class Meta:
        verbose_name = _("follow-up rhythm")
        verbose_name_plural = _("follow-up rhythms")
        constraints = [
            models.CheckConstraint(
                condition=Q(probation_days__gte=7) & Q(probation_days__lte=60),
                name="rhythm_probation_7_to_60_days",
                violation_error_message=_("Talks in probation: every 7 to 60 days."),
            ),
            models.CheckConstraint(
                condition=Q(after_months__gte=1) & Q(after_months__lte=6),
                name="rhythm_after_1_to_6_months",
                violation_error_message=_("Talks after probation: every 1 to 6 months."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.peer)


class Talk(VersionedModel):
    """A follow-up talk or a MUS between the leader and the peer worker. Its record is the
    leader's, written for the peer worker to read: nobody else reads it."""

    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", _("Follow-up talk")
        MUS = "mus", _("MUS (yearly appraisal) with the wellbeing survey")
        EXIT = "exit", _("Exit talk")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    class Workload(models.TextChoices):
        TOO_LITTLE = "too_little", _("Too little")
        RIGHT = "right", _("About right")
        TOO_MUCH = "too_much", _("Too much")

    peer = models.ForeignKey(
        PeerWorker, verbose_name=_("peer worker"), on_delete=models.CASCADE, related_name="talks"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("date"))
    # A time puts the talk in the leader's and the peer worker's calendars as a meeting;
    # without one it shows there as due that day.
    time = models.TimeField(_("time"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    reason = models.CharField(
        _("reason"),
        max_length=300,
        blank=True,
        validators=[no_control_characters],
        help_text=_("Why the talk was moved or cancelled."),
    )
    how_it_goes = models.TextField(
        _("how it is going"), max_length=4000, blank=True, validators=[no_control_characters]
    )
    workload = models.CharField(_("workload"), max_length=10, choices=Workload.choices, blank=True)
    wellbeing = models.PositiveSmallIntegerField(
        _("wellbeing (1-5)"),
        null=True,
        blank=True,
        help_text=_("1: poor, 5: very good. As the peer worker puts it."),
    )
    development = models.TextField(
        _("development and education plan"),
        max_length=4000,
        blank=True,
        validators=[no_control_characters],
        help_text=_(
            "After the first year: what the peer worker wants to learn or do next, and the "
            "education agreed."
        ),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("follow-up talk")
        verbose_name_plural = _("follow-up talks")
        indexes = [models.Index(fields=["peer", "status", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(wellbeing__isnull=True) | (Q(wellbeing__gte=1) & Q(wellbeing__lte=5)),
                name="talk_wellbeing_1_to_5",
                violation_error_message=_("Wellbeing is given from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(reason=""),
                name="talk_cancelled_with_reason",
                violation_error_message=_("Say why the talk is cancelled."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d.%m.%Y}"

    def get_absolute_url(self) -> str:
        return reverse("employment:talk_detail", args=[self.pk])


class TalkAction(models.Model):
    """An action agreed in a talk: who does what by when. Open ones carry over to the
    next talk until they are done."""

    class Responsible(models.TextChoices):
        LEADER = "leader", _("Leader")
        PEER = "peer", _("Peer worker")
        BOTH = "both", _("Both")

    talk = models.ForeignKey(
        Talk, verbose_name=_("talk"), on_delete=models.CASCADE, related_name="actions"
    )
    text = models.CharField(_("action"), max_length=300, validators=[no_control_characters])
    responsible = models.CharField(_("responsible"), max_length=10, choices=Responsible.choices)
    due = models.DateField(_("by"), null=True, blank=True)
    done_on = models.DateField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = _("agreed action")
        verbose_name_plural = _("agreed actions")

    def __str__(self) -> str:
        return self.text


# Preparing the workplace and making the peer worker visible ------------------------------


class StaffQuestion(VersionedModel):
    """A question the staff group asks before a peer worker starts, with the answer: the
    Centre keeps the list; a leader prints it for a staff meeting."""

    question = models.CharField(_("question"), max_length=300, validators=[no_control_characters])
    answer = models.TextField(_("answer"), max_length=2000, validators=[no_control_characters])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("staff question")
        verbose_name_plural = _("staff questions")

    def __str__(self) -> str:
        return self.question


class Presentation(VersionedModel):
    """The peer worker's own short presentation for the leaflet "Mød din peermedarbejder":
    written and approved by the peer worker; a change takes the approval back."""

    peer = models.OneToOneField(
        PeerWorker,
        verbose_name=_("peer worker"),
        on_delete=models.CASCADE,
        related_name="presentation",
    )
    text = models.TextField(
        _("presentation"),
        max_length=1200,
        validators=[no_control_characters],
        help_text=_(
            "A few lines in your own words: who you are, what you offer, and what you "
            "share of your own experience. At most 1,200 characters."
        ),
    )
    approved_on = models.DateField(_("approved by the peer worker"), null=True, blank=True)
    leaflet_made_on = models.DateField(
        _("leaflet first made"),
        null=True,
        blank=True,
        help_text=_("The checklist's task to inform the patients is done from this day."),
    )

    class Meta:
        verbose_name = _("presentation for the leaflet")
        verbose_name_plural = _("presentations for the leaflet")

    def __str__(self) -> str:
        return str(self.peer)


# Tasks outside the description: the drift signal's weekly log ----------------------------


class OutsideTask(models.Model):
    """Hours of one kind of task outside the function description in one week, logged by
    the peer worker or the leader ("other tasks this week"); several entries of a week add
    up. The drift signal adds them up against the hours worked."""

    class Kind(models.TextChoices):
        CARE = "care", _("Nursing or treatment tasks (e.g. medication, measurements)")
        PRACTICAL = "practical", _("Practical tasks (e.g. tidying, driving, meals)")
        ADMIN = "admin", _("Administration and registration for the team")
        COVER = "cover", _("Covering for other staff")
        OTHER = "other", _("Other tasks outside the description")

    peer = models.ForeignKey(
        PeerWorker,
        verbose_name=_("peer worker"),
        on_delete=models.CASCADE,
        related_name="outside_tasks",
    )
    week = models.DateField(_("week"), help_text=_("The Monday of the week."))
    kind = models.CharField(_("kind of task"), max_length=10, choices=Kind.choices)
    hours = models.PositiveSmallIntegerField(
        _("hours"),
        validators=[
            MinValueValidator(1, _("Give the hours as a whole number from 1 to 60.")),
            MaxValueValidator(60, _("Give the hours as a whole number from 1 to 60.")),
        ],
    )
    note = models.CharField(
        _("what it was"), max_length=200, blank=True, validators=[no_control_characters]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-week", "kind", "pk"]
        indexes = [models.Index(fields=["peer", "week"])]
        verbose_name = _("task outside the description")
        verbose_name_plural = _("tasks outside the description")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gte=1) & Q(hours__lte=60),
                name="outside_task_1_to_60_hours",
                violation_error_message=_("Give the hours as a whole number from 1 to 60."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.week:%d.%m.%Y}"
