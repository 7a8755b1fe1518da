"""The peer education (course, modules, cohorts, enrolment, attendance), the mandatory
courses, erfa groups and their meetings, supervision, and personal calendar feeds."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerprogram.models import PeerWorker, StaffMember, Unit, VersionedModel


def next_weekday(day: datetime.date) -> datetime.date:
    """The next teaching day: the day after, or Monday after a Friday."""
    day += datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def local_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """Wall-clock time in Copenhagen, with the right UTC offset on either side of DST."""
    return timezone.make_aware(datetime.datetime.combine(day, time))


class Course(models.Model):
    """The peer education itself (one row, seeded; the Centre edits its text)."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.name


class Module(VersionedModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "number"],
                name="module_number_unique_per_course",
                violation_error_message=_("The course already has a module with this number."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Cohort(VersionedModel):
    """A hold: one run of the seven modules, usually starting in spring."""

    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        OPEN = "open", _("Open for enrolment")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        error_messages={"unique": _("There is already a cohort with this name.")},
    )
    start_date = models.DateField(_("start"))
    capacity = models.PositiveSmallIntegerField(_("seats"), default=20)
    fee_dkk = models.PositiveIntegerField(
        _("fee per participant (DKK)"), default=settings.EDUCATION_FEE_DKK
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNING
    )
    default_place = models.CharField(_("usual place"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="cohort_at_least_one_seat",
                violation_error_message=_("A cohort needs at least one seat."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("education:cohort_detail", args=[self.pk])


class CohortModule(models.Model):
    """When and where one module is taught on a cohort: two consecutive teaching days."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="sessions")
    first_day = models.DateField(_("first teaching day"), null=True, blank=True)
    start_time = models.TimeField(_("starts at"), default=datetime.time(9, 0))
    place = models.CharField(_("place"), max_length=200, blank=True)

    class Meta:
        ordering = ["module__number"]
        verbose_name = _("module on a cohort")
        verbose_name_plural = _("modules on a cohort")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "module"], name="each_module_once_per_cohort")
        ]

    def __str__(self) -> str:
        return f"{self.cohort}: {self.module}"

    @property
    def days(self) -> list[datetime.date]:
        if not self.first_day:
            return []
        return [self.first_day, next_weekday(self.first_day)]

    @property
    def end_time(self) -> datetime.time:
        start = datetime.datetime.combine(datetime.date(2000, 1, 1), self.start_time)
        return (start + datetime.timedelta(hours=settings.EDUCATION_DAY_HOURS)).time()

    def day_span(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
        start = local_datetime(day, self.start_time)
        return start, start + datetime.timedelta(hours=settings.EDUCATION_DAY_HOURS)


class Enrolment(models.Model):
    """A seat (or a place on the waiting list) for a peer worker of the region or an
    external participant. External participants are data: they have no login."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    peer = models.ForeignKey(
        PeerWorker,
        verbose_name=_("peer worker"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
    )
    external_name = models.CharField(_("name"), max_length=200, blank=True)
    external_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    external_contact = models.CharField(
        _("contact"), max_length=200, blank=True, help_text=_("E-mail or phone.")
    )
    # The unit whose operating budget pays the fee (the peer's unit when enrolled).
    paying_unit = models.ForeignKey(
        Unit, verbose_name=_("paid by"), on_delete=models.PROTECT, null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    seat_since = models.DateTimeField(_("seat since"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # Completion is read from the attendance; these are set only when Centre staff mark a
    # participant as completed by hand.
    completed_on = models.DateField(_("completed (marked by hand)"), null=True, blank=True)
    completion_reason = models.CharField(_("reason"), max_length=300, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.CheckConstraint(
                condition=(Q(peer__isnull=False) & Q(external_name=""))
                | (Q(peer__isnull=True) & ~Q(external_name="")),
                name="enrolment_peer_or_external",
                violation_error_message=_(
                    "A participant is either a peer worker of the region or an external "
                    "participant with a name."
                ),
            ),
            models.UniqueConstraint(
                fields=["cohort", "peer"],
                condition=~Q(status="cancelled"),
                name="one_live_enrolment_per_peer_and_cohort",
                violation_error_message=_("This peer worker is already on this cohort."),
            ),
        ]
        indexes = [models.Index(fields=["cohort", "status"])]

    def __str__(self) -> str:
        return self.participant_name

    @property
    def participant_name(self) -> str:
        return self.peer.name if self.peer is not None else self.external_name

    @property
    def is_external(self) -> bool:
        return self.peer_id is None

    @property
    def organisation(self) -> str:
        if self.paying_unit is not None:
            return self.paying_unit.name
        return self.external_organisation


class DayAttendance(models.Model):
    """A participant was present on one of the two teaching days of a module."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    session = models.ForeignKey(CohortModule, on_delete=models.CASCADE, related_name="attendance")
    day = models.PositiveSmallIntegerField(choices=[(1, _("Day 1")), (2, _("Day 2"))])

    class Meta:
        verbose_name = _("attendance on a teaching day")
        verbose_name_plural = _("attendance on teaching days")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "session", "day"], name="attendance_once_per_day"
            ),
            models.CheckConstraint(condition=Q(day__in=[1, 2]), name="attendance_day_1_or_2"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} {self.session} {self.day}"


class MentorModule(models.Model):
    """A mentor joins a module with their peer worker (DOMAIN: 'selected modules')."""

    session = models.ForeignKey(CohortModule, on_delete=models.CASCADE, related_name="mentors")
    mentor = models.ForeignKey(
        StaffMember, verbose_name=_("mentor"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("mentor on a module")
        verbose_name_plural = _("mentors on modules")
        constraints = [
            models.UniqueConstraint(fields=["session", "mentor"], name="mentor_once_per_module")
        ]

    def __str__(self) -> str:
        return f"{self.mentor}: {self.session}"


class MandatoryCourse(VersionedModel):
    """Clinical IT workplace, fire school, conflict handling… (the Centre edits the list)."""

    name = models.CharField(
        _("name"),
        max_length=200,
        unique=True,
        error_messages={"unique": _("There is already a mandatory course with this name.")},
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("mandatory course")
        verbose_name_plural = _("mandatory courses")

    def __str__(self) -> str:
        return self.name


class CourseRecord(VersionedModel):
    peer = models.ForeignKey(PeerWorker, on_delete=models.CASCADE, related_name="course_records")
    course = models.ForeignKey(MandatoryCourse, on_delete=models.PROTECT, related_name="records")
    enrolled_on = models.DateField(_("enrolled"), null=True, blank=True)
    completed_on = models.DateField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("mandatory course of a peer worker")
        verbose_name_plural = _("mandatory courses of peer workers")
        constraints = [
            models.UniqueConstraint(fields=["peer", "course"], name="one_course_record_each")
        ]

    def __str__(self) -> str:
        return f"{self.peer}: {self.course}"


class Audience(models.TextChoices):
    PEERS = "peers", _("All peer workers")
    MENTORS = "mentors", _("All mentors")
    MEMBERS = "members", _("Chosen members")


class ErfaGroup(VersionedModel):
    name = models.CharField(
        _("name"),
        max_length=200,
        unique=True,
        error_messages={"unique": _("There is already an erfa group with this name.")},
    )
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(
        _("who takes part"), max_length=10, choices=Audience.choices, default=Audience.PEERS
    )
    members = models.ManyToManyField(
        StaffMember, verbose_name=_("members"), blank=True, related_name="erfa_groups"
    )
    duration_minutes = models.PositiveSmallIntegerField(_("usual length (minutes)"), default=90)
    online_link = models.URLField(_("usual online link"), blank=True)
    place = models.CharField(_("usual place"), max_length=200, blank=True)
    facilitator = models.ForeignKey(
        StaffMember,
        verbose_name=_("usual facilitator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("erfa group")
        verbose_name_plural = _("erfa groups")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15) & Q(duration_minutes__lte=480),
                name="erfa_length_15_minutes_to_8_hours",
                violation_error_message=_("A meeting lasts from 15 minutes to 8 hours."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("education:group_detail", args=[self.pk])


class MeetingSeries(models.Model):
    """A recurrence rule (e.g. the second Tuesday of every month, 13:00–14:30) and the
    period it was generated for. The meetings it made can each be moved or cancelled."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        WEEKLY = "weekly", _("Weekly")

    group = models.ForeignKey(ErfaGroup, on_delete=models.CASCADE, related_name="series")
    frequency = models.CharField(
        _("repeats"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    interval = models.PositiveSmallIntegerField(
        _("every"), default=1, help_text=_("1 = every month (or week), 3 = every third.")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    # 1–4: the first to fourth such weekday of the month; -1: the last. Monthly only.
    week_of_month = models.SmallIntegerField(_("which one in the month"), default=1)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("to"))
    first_date = models.DateField(_("from date"))
    last_date = models.DateField(_("to date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="series_ends_after_it_starts",
                violation_error_message=_("The meeting must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(last_date__gte=F("first_date")),
                name="series_period_forwards",
                violation_error_message=_("The period must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(weekday__lte=6), name="series_weekday_monday_to_sunday"
            ),
            models.CheckConstraint(
                condition=Q(week_of_month__in=[1, 2, 3, 4, -1]),
                name="series_week_of_month_known",
            ),
            models.CheckConstraint(
                condition=Q(interval__gte=1) & Q(interval__lte=12),
                name="series_interval_1_to_12",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.first_date}–{self.last_date}"


class Meeting(VersionedModel):
    """An erfa meeting or a supervision session."""

    class Kind(models.TextChoices):
        EXTERNAL = "external", _("External knowledge sharing")
        INTERNAL = "internal", _("Internal knowledge sharing (cases through CHIME)")
        SUPERVISION = "supervision", _("Supervision")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CANCELLED = "cancelled", _("Cancelled")

    group = models.ForeignKey(
        ErfaGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="meetings"
    )
    series = models.ForeignKey(
        MeetingSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    # The date the rule gave this meeting; kept when the meeting is moved, so the series
    # knows it and never generates it twice.
    series_date = models.DateField(null=True, blank=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    topic = models.CharField(_("topic"), max_length=300, blank=True)
    speaker = models.CharField(_("speaker"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    facilitator = models.ForeignKey(
        StaffMember,
        verbose_name=_("facilitator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    supervisor = models.CharField(_("supervisor"), max_length=200, blank=True)
    supervisor_organisation = models.CharField(
        _("supervisor's organisation"),
        max_length=200,
        blank=True,
        help_text=_("For a supervisor from outside, e.g. a psychologist in private practice."),
    )
    # Supervision is for one peer worker or a few; erfa meetings follow the group.
    participants = models.ManyToManyField(
        PeerWorker, verbose_name=_("peer workers"), blank=True, related_name="supervisions"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    moved_from = models.DateTimeField(_("moved from"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="meeting_ends_after_it_starts",
                violation_error_message=_("The meeting must end after it starts."),
            ),
            models.UniqueConstraint(
                fields=["series", "series_date"], name="one_meeting_per_series_date"
            ),
            models.CheckConstraint(
                condition=Q(kind="supervision") | Q(group__isnull=False),
                name="erfa_meeting_has_group",
                violation_error_message=_("An erfa meeting belongs to a group."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {timezone.localtime(self.starts_at):%d.%m.%Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("education:meeting_detail", args=[self.pk])

    @property
    def title(self) -> str:
        if self.kind == self.Kind.SUPERVISION:
            return str(_("Supervision"))
        return self.group.name if self.group is not None else ""

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("attendance at a meeting")
        verbose_name_plural = _("attendance at meetings")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="meeting_attended_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.meeting}"


class TopicProposal(models.Model):
    """Peers choose the topics of the external knowledge sharing."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CHOSEN = "chosen", _("Chosen")

    group = models.ForeignKey(ErfaGroup, on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("why, and who could talk about it"), blank=True)
    proposed_by = models.ForeignKey(
        StaffMember,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
    )

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("topic proposal")
        verbose_name_plural = _("topic proposals")

    def __str__(self) -> str:
        return self.title


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret address of a person's calendar, for Outlook to subscribe to."""

    person = models.OneToOneField(StaffMember, on_delete=models.CASCADE, related_name="feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    renewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.person)
