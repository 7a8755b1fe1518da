"""Vacancies, the hiring committee, applicants and the hiring/onboarding checklist."""

from __future__ import annotations

import datetime
from typing import Self

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerprogram.models import (
    PeerWorker,
    StaffMember,
    Unit,
    VersionedModel,
    hours_per_week_constraint,
    yearly_cost_for_hours,
)


class PostingTemplate(models.Model):
    """The Centre's standard job posting. Placeholders: {title} {unit} {hours} {deadline}
    {contact} {start_date} {employment_form}."""

    name = models.CharField(_("name"), max_length=200)
    body = models.TextField(_("text"))
    active = models.BooleanField(
        _("in use"), default=True, help_text=_("The newest template in use is offered first.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-active", "-updated_at"]
        verbose_name = _("posting template")
        verbose_name_plural = _("posting templates")

    def __str__(self) -> str:
        return self.name


class Vacancy(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")
        FILLED = "filled", _("Filled")
        CANCELLED = "cancelled", _("Cancelled")

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="vacancies"
    )
    title = models.CharField(_("title"), max_length=200)
    hours_per_week = models.PositiveSmallIntegerField(
        _("hours per week"),
        help_text=_("Between 1 and 37. At least 20 hours a week is recommended."),
    )
    employment_form = models.CharField(
        _("employment form"),
        max_length=20,
        choices=PeerWorker.EmploymentForm.choices,
        default=PeerWorker.EmploymentForm.PERMANENT,
    )
    planned_start_date = models.DateField(_("planned start date"))
    application_deadline = models.DateField(_("application deadline"))
    contact_person = models.ForeignKey(
        StaffMember,
        verbose_name=_("contact person"),
        on_delete=models.PROTECT,
        related_name="contact_for_vacancies",
    )
    posting_text = models.TextField(_("posting text"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_on = models.DateField(_("published"), null=True, blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    filled_on = models.DateField(_("filled"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("vacancy")
        verbose_name_plural = _("vacancies")
        constraints = [
            hours_per_week_constraint("vacancy_hours_between_1_and_37"),
        ]
        indexes = [
            models.Index(fields=["unit", "status"]),
            # The vacancy list: the open ones (or another status), newest first.
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.unit})"

    def get_absolute_url(self) -> str:
        return reverse("recruitment:vacancy_detail", args=[self.pk])

    @property
    def yearly_cost(self) -> int:
        return yearly_cost_for_hours(self.hours_per_week)

    @property
    def posting_blocks(self) -> list[dict]:
        """The posting as blocks for display: the first line a heading, "- " lines lists."""
        blocks: list[dict] = []
        text = self.posting_text.replace("\r\n", "\n")
        for index, chunk in enumerate(text.split("\n\n")):
            lines = [line.strip() for line in chunk.split("\n") if line.strip()]
            if index == 0 and len(lines) == 1:
                blocks.append({"kind": "heading", "lines": lines})
                continue
            for line in lines:
                is_item = line.startswith(("- ", "• "))
                kind = "list" if is_item else "paragraph"
                if not blocks or blocks[-1]["kind"] != kind or blocks[-1].get("chunk") != index:
                    blocks.append({"kind": kind, "lines": [], "chunk": index})
                blocks[-1]["lines"].append(line[2:] if is_item else line)
        return blocks

    @property
    def takes_applicants(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.PUBLISHED)

    @property
    def ended_on(self) -> datetime.date | None:
        """When the vacancy stopped being open: the start of the retention period."""
        return self.filled_on or self.closed_on or self.cancelled_on


class CommitteeMember(models.Model):
    class Seat(models.TextChoices):
        LEADER = "leader", _("Leader")
        STAFF_REP = "staff_rep", _("Staff representative (e.g. the coming mentor)")
        CENTRE = "centre", _("Centre staff member")
        PEER = "peer", _("Peer worker from another unit")
        OTHER = "other", _("Other")

    RECOMMENDED = [Seat.LEADER, Seat.STAFF_REP, Seat.CENTRE, Seat.PEER]

    vacancy = models.ForeignKey(
        Vacancy, verbose_name=_("vacancy"), on_delete=models.CASCADE, related_name="committee"
    )
    staff_member = models.ForeignKey(
        StaffMember,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="committee_seats",
    )
    seat = models.CharField(_("seat"), max_length=20, choices=Seat.choices)
    added_on = models.DateField(_("added"), default=timezone.localdate)

    class Meta:
        ordering = ["seat", "staff_member__name"]
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        constraints = [
            models.UniqueConstraint(
                fields=["vacancy", "staff_member"],
                name="one_seat_per_person_per_vacancy",
                violation_error_message=_("This person is already on the hiring committee."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff_member} ({self.get_seat_display()})"


class Applicant(models.Model):
    class Stage(models.TextChoices):
        RECEIVED = "received", _("Application received")
        PREQUALIFICATION = "prequalification", _("Pre-qualification talk")
        INTERVIEW = "interview", _("Interview")
        REFERENCES = "references", _("References")
        OFFER = "offer", _("Offer")
        HIRED = "hired", _("Hired")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    PIPELINE = [
        Stage.RECEIVED,
        Stage.PREQUALIFICATION,
        Stage.INTERVIEW,
        Stage.REFERENCES,
        Stage.OFFER,
        Stage.HIRED,
    ]
    FINAL = [Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN]

    vacancy = models.ForeignKey(
        Vacancy, verbose_name=_("vacancy"), on_delete=models.PROTECT, related_name="applicants"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    received_on = models.DateField(_("application received"), default=timezone.localdate)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.RECEIVED
    )
    # The applicant questionnaire: four themes.
    motivation = models.TextField(_("motivation"), blank=True)
    recovery = models.TextField(
        _("degree of recovery"),
        blank=True,
        help_text=_(
            "Distance to own experiences: can the applicant use them without being overwhelmed?"
        ),
    )
    robustness = models.TextField(
        _("robustness"), blank=True, help_text=_("Own limits and strengths.")
    )
    readiness = models.TextField(
        _("readiness for the tasks"),
        blank=True,
        help_text=_(
            "Conversations, groups, bridge-building: what does the applicant look forward "
            "to, and what worries them?"
        ),
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    answer_given_on = models.DateField(_("answer given"), null=True, blank=True)
    hired_peer = models.OneToOneField(
        PeerWorker,
        verbose_name=_("hired as"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applicant",
    )
    anonymised_on = models.DateField(_("anonymised"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["received_on", "name"]
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        indexes = [models.Index(fields=["vacancy", "stage"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("recruitment:applicant_detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.stage in self.FINAL


class StageChange(models.Model):
    """Each move of an applicant through the pipeline, dated, with who made it."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Applicant.Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Applicant.Stage.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.applicant}: {self.from_stage} → {self.to_stage}"


class Interview(models.Model):
    applicant = models.ForeignKey(
        Applicant,
        verbose_name=_("applicant"),
        on_delete=models.CASCADE,
        related_name="interviews",
    )
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    present = models.ManyToManyField(
        CommitteeMember,
        verbose_name=_("committee members present"),
        blank=True,
        related_name="interviews",
    )

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        constraints = [
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(video_link=""),
                name="interview_has_place_or_link",
                violation_error_message=_("Give a place or a video link."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.applicant} {self.starts_at:%Y-%m-%d %H:%M}"


class Assessment(models.Model):
    """One committee member's own assessment of one interview."""

    class Recommendation(models.TextChoices):
        YES = "yes", _("Recommend hiring")
        MAYBE = "maybe", _("Unsure")
        NO = "no", _("Do not recommend")

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="assessments")
    member = models.ForeignKey(
        CommitteeMember,
        verbose_name=_("committee member"),
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    recovery_reflection = models.TextField(
        _("reflection on own recovery"),
        help_text=_(
            "How does the candidate reflect on their own recovery? Is there enough distance "
            "to use the experience for others?"
        ),
    )
    assessment = models.TextField(_("assessment"), blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=Recommendation.choices, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "member"], name="one_assessment_per_member_per_interview"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.interview}"


class ReferenceCheck(models.Model):
    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="references")
    referee = models.CharField(_("referee"), max_length=200, help_text=_("Name and relation."))
    checked_on = models.DateField(_("date"), default=timezone.localdate)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    summary = models.TextField(_("summary"))

    class Meta:
        ordering = ["checked_on"]
        verbose_name = _("reference check")
        verbose_name_plural = _("reference checks")

    def __str__(self) -> str:
        return self.referee


# The checklist ---------------------------------------------------------------


class Responsible(models.TextChoices):
    LEADER = "leader", _("Leader")
    MENTOR = "mentor", _("Mentor")
    CENTRE = "centre", _("Centre")
    PEER = "peer", _("Peer worker")


class Phase(models.TextChoices):
    BEFORE = "before", _("Before employment")
    TEAM = "team", _("Preparing the team")
    ONBOARDING = "onboarding", _("Onboarding")
    AFTER = "after", _("After employment")
    PROBATION = "probation", _("Probation follow-up")
    YEARLY = "yearly", _("The first year")


class Anchor(models.TextChoices):
    """What an item's due date counts from."""

    START = "start", _("start date")
    PROBATION_MIDDLE = "probation_middle", _("middle of probation")
    PROBATION_END = "probation_end", _("end of probation")
    # Items counted from this appear on the checklist only once the education is done.
    EDUCATION_COMPLETED = "education_completed", _("completion of the peer education")


class DerivedFrom(models.TextChoices):
    """Items that are facts owned by another app, read there, never ticked here."""

    MANUAL = "", _("Ticked by hand")
    POSTING_PUBLISHED = "posting_published", _("The vacancy is published")
    COMMITTEE_COMPLETE = "committee_complete", _("The recommended committee seats are filled")
    MENTOR_APPOINTED = "mentor_appointed", _("A mentor is appointed")
    EDUCATION_ENROLLED = "education_enrolled", _("The peer worker has a seat on a cohort")
    MANDATORY_COURSES = "mandatory_courses", _("Every mandatory course is completed")
    FUNCTION_AGREED = (
        "function_agreed",
        _("The function description is agreed by the leader and the peer worker"),
    )
    LEAFLET_MADE = "leaflet_made", _("The leaflet “Mød din peermedarbejder” is made")


class ChecklistTemplateItem(VersionedModel):
    """The standard checklist the Centre maintains; copied to each new onboarding."""

    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    title = models.CharField(_("task"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    responsible = models.CharField(_("responsible"), max_length=10, choices=Responsible.choices)
    anchor = models.CharField(
        _("due counted from"), max_length=20, choices=Anchor.choices, default=Anchor.START
    )
    offset_days = models.IntegerField(
        _("days from that date"),
        default=0,
        help_text=_("Negative numbers are days before."),
    )
    guide_reference = models.CharField(_("read more"), max_length=100, blank=True)
    derived_from = models.CharField(
        _("done when"), max_length=30, choices=DerivedFrom.choices, blank=True, default=""
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("standard checklist item")
        verbose_name_plural = _("standard checklist")

    def __str__(self) -> str:
        return self.title


def anchor_date(anchor: str, *, start: datetime.date, probation_months: int) -> datetime.date:
    """The day a checklist task is counted from: the start, or the middle or end of the
    probation."""
    if anchor == Anchor.PROBATION_END:
        return start + relativedelta(months=probation_months)
    if anchor == Anchor.PROBATION_MIDDLE:
        end = start + relativedelta(months=probation_months)
        return start + (end - start) / 2
    return start


class Onboarding(models.Model):
    """The checklist's owner: first a vacancy, then (after the hire) the peer worker."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="onboardings")
    vacancy = models.OneToOneField(
        Vacancy, on_delete=models.PROTECT, null=True, blank=True, related_name="onboarding"
    )
    peer = models.OneToOneField(
        PeerWorker, on_delete=models.PROTECT, null=True, blank=True, related_name="onboarding"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The start date and probation the stored due days of the tasks were worked out from
    # (recruitment.services.checklist_due_days_refresh). While they match the peer
    # worker's (or the vacancy's) the database judges the tasks by their stored day; a
    # start moved anywhere else leaves the checklist to be worked out in Python until the
    # daily run stores the new days. (A data migration that adds tasks calls the refresh
    # too: a task without a stored day is never judged late by the database.)
    dues_start = models.DateField(null=True, blank=True, editable=False)
    dues_probation_months = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # And the moment it was begun from (a task already late when the checklist began gets
    # CATCH_UP_DAYS from that day).
    dues_created_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("onboarding")
        verbose_name_plural = _("onboardings")
        constraints = [
            models.CheckConstraint(
                condition=Q(vacancy__isnull=False) | Q(peer__isnull=False),
                name="onboarding_has_vacancy_or_peer",
            )
        ]

    def __str__(self) -> str:
        return str(self.peer or self.vacancy)

    def get_absolute_url(self) -> str:
        return reverse("recruitment:checklist", args=[self.pk])

    @property
    def start_date(self) -> datetime.date:
        if self.peer is not None:
            return self.peer.start_date
        return self.vacancy_of_checklist.planned_start_date

    @property
    def vacancy_of_checklist(self) -> Vacancy:
        """The vacancy of a checklist that has no peer worker yet: the database requires
        one of the two (onboarding_has_vacancy_or_peer)."""
        if self.vacancy is None:
            raise ValueError("A checklist without a peer worker has a vacancy.")
        return self.vacancy

    # Until the hire, the usual probation is planned for.
    VACANCY_PROBATION_MONTHS = 3

    @property
    def probation_months(self) -> int:
        return (
            self.peer.probation_months if self.peer is not None else self.VACANCY_PROBATION_MONTHS
        )

    @property
    def published_on(self) -> datetime.date | None:
        """The day the vacancy's posting was published (None without a vacancy)."""
        return self.vacancy.published_on if self.vacancy is not None else None

    # A task whose date had passed before the checklist existed gets this long to catch up,
    # instead of being overdue from the first day.
    CATCH_UP_DAYS = 14

    def due_for(self, anchor: str, offset_days: int) -> datetime.date:
        due = self.anchor_date(anchor) + datetime.timedelta(days=offset_days)
        return self.caught_up(due, started=timezone.localdate(self.created_at))

    @classmethod
    def caught_up(cls, due: datetime.date, *, started: datetime.date) -> datetime.date:
        """The due date, or the end of the catch-up period when it had passed already."""
        if due < started:
            return started + datetime.timedelta(days=cls.CATCH_UP_DAYS)
        return due

    def anchor_date(self, anchor: str) -> datetime.date:
        return anchor_date(anchor, start=self.start_date, probation_months=self.probation_months)

    @property
    def label(self) -> str:
        if self.peer is not None:
            return self.peer.name
        return str(self.vacancy_of_checklist.title)


class ChecklistItem(models.Model):
    onboarding = models.ForeignKey(Onboarding, on_delete=models.CASCADE, related_name="items")
    template = models.ForeignKey(
        ChecklistTemplateItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    title = models.CharField(_("task"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    responsible = models.CharField(_("responsible"), max_length=10, choices=Responsible.choices)
    anchor = models.CharField(max_length=20, choices=Anchor.choices, default=Anchor.START)
    offset_days = models.IntegerField(default=0)
    due_override = models.DateField(_("due date (changed by hand)"), null=True, blank=True)
    # The due day worked out from the anchor and the offset (a due day changed by hand
    # wins over it), stored so that "overdue" and "late" are questions for the database;
    # valid while the onboarding's dues_start and dues_probation_months hold. Empty for
    # the tasks counted from the completion of the education, which is worked out in
    # Python.
    due_on = models.DateField(null=True, blank=True, editable=False)
    guide_reference = models.CharField(_("read more"), max_length=100, blank=True)
    derived_from = models.CharField(
        max_length=30, choices=DerivedFrom.choices, blank=True, default=""
    )
    done_on = models.DateField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    # A task the leader hands to someone (the mentor, the peer worker, a colleague): they
    # see it on their page of delegated tasks and tick it there.
    assignee = models.ForeignKey(
        StaffMember,
        verbose_name=_("delegated to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegated_tasks",
    )
    order = models.PositiveSmallIntegerField(default=0)
    unit_specific = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        # The open tasks (derived tasks are never ticked, so all of them): what "overdue"
        # reads, per checklist and, for the tasks counted from the education, per anchor.
        indexes = [
            models.Index(
                fields=["onboarding"], condition=Q(done_on__isnull=True), name="open_tasks"
            ),
            models.Index(
                fields=["anchor"], condition=Q(done_on__isnull=True), name="open_tasks_by_anchor"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | Q(derived_from=""),
                name="derived_items_are_not_ticked_by_hand",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def from_template(cls, onboarding: Onboarding, template: ChecklistTemplateItem) -> Self:
        """The onboarding's copy of a task of the Centre's standard list (not saved)."""
        return cls(
            onboarding=onboarding,
            template=template,
            phase=template.phase,
            title=template.title,
            description=template.description,
            responsible=template.responsible,
            anchor=template.anchor,
            offset_days=template.offset_days,
            guide_reference=template.guide_reference,
            derived_from=template.derived_from,
            order=template.order,
        )

    def due_date(self) -> datetime.date:
        if self.due_override:
            return self.due_override
        return self.onboarding.due_for(self.anchor, self.offset_days)
