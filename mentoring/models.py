"""Who mentors whom, the weekly check-ins of the first six months, and the mentor's tasks."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerprogram.models import PeerWorker, StaffMember, VersionedModel


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")


class Mentorship(models.Model):
    class EndReason(models.TextChoices):
        PLANNED = "planned", _("Planned end")
        MENTOR_LEFT = "mentor_left", _("Mentor left")
        NEW_MATCH = "new_match", _("New match")
        PEER_LEFT = "peer_left", _("Peer worker left")
        OTHER = "other", _("Other")

    class Rhythm(models.TextChoices):
        WEEKLY = "weekly", _("Weekly (the first six months)")
        MONTHLY = "monthly", _("Monthly")

    class Kind(models.TextChoices):
        """A peer worker has one mentor, and may have a buddy as well (the mini-guide: one
        or two mentors/buddies), e.g. an experienced peer worker from another unit."""

        MENTOR = "mentor", _("Mentor")
        BUDDY = "buddy", _("Buddy")

    peer = models.ForeignKey(
        PeerWorker,
        verbose_name=_("peer worker"),
        on_delete=models.PROTECT,
        related_name="mentorships",
    )
    mentor = models.ForeignKey(
        StaffMember,
        verbose_name=_("mentor"),
        on_delete=models.PROTECT,
        related_name="mentorships",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MENTOR)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=20, choices=EndReason.choices, blank=True
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, default=Weekday.TUESDAY
    )
    meeting_time = models.TimeField(_("time"), default=datetime.time(10, 0))
    rhythm = models.CharField(
        _("rhythm"), max_length=10, choices=Rhythm.choices, default=Rhythm.WEEKLY
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The date of the newest held check-in, kept by services.last_held_refresh wherever
    # check-ins are written: the overview orders every active mentorship by it.
    last_held_on = models.DateField(_("last check-in held"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        constraints = [
            # One active mentor and one active buddy at the most: one or two in all.
            models.UniqueConstraint(
                fields=["peer", "kind"],
                condition=Q(end_date__isnull=True),
                name="one_active_mentorship_per_peer_and_kind",
                violation_error_message=_(
                    "This peer worker already has an active mentor or buddy of this kind."
                ),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="mentorship_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(weekday__lte=4), name="mentorship_weekday_monday_to_friday"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.peer}"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:mentorship_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.end_date is None


class MentorIntroduction(models.Model):
    """A staff member attended the Centre's introduction for mentors (a matching criterion)."""

    staff_member = models.OneToOneField(
        StaffMember, on_delete=models.CASCADE, related_name="mentor_introduction"
    )
    attended_on = models.DateField(_("attended"))

    class Meta:
        verbose_name = _("mentor introduction")
        verbose_name_plural = _("mentor introductions")

    def __str__(self) -> str:
        return f"{self.staff_member} ({self.attended_on})"


class AwayPeriod(models.Model):
    """Days a mentor is away (holiday, course): no check-in is planned on them."""

    mentor = models.ForeignKey(
        StaffMember,
        verbose_name=_("mentor"),
        on_delete=models.CASCADE,
        related_name="away_periods",
    )
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["first_day"]
        verbose_name = _("away period")
        verbose_name_plural = _("away periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")),
                name="away_last_day_not_before_first",
                violation_error_message=_("The last day cannot be before the first day."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentor}: {self.first_day}–{self.last_day}"


class Topic(models.TextChoices):
    """The mentor's task list (DOMAIN.md), used to tag what a check-in was about."""

    STAFF_GROUP = "staff_group", _("Into the staff group")
    TASKS = "tasks", _("Tasks and patient courses")
    CASE = "case", _("Sparring on a case")
    ROLE = "role", _("Role in the team")
    ROUTINES = "routines", _("Routines")
    CHIME = "chime", _("Documentation by CHIME")
    OTHER = "other", _("Other")


TOPIC_LABELS = dict(Topic.choices)


class CheckIn(VersionedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="checkins")
    date = models.DateField(_("date"))
    time = models.TimeField(_("time"))
    moved_from = models.DateField(_("moved from"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    duration_minutes = models.PositiveSmallIntegerField(_("minutes"), default=30)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    # Visible only to the mentor and the peer worker (never to leaders or the Centre).
    note = models.TextField(_("note between the two of you"), blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    logged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "time"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        indexes = [
            models.Index(fields=["mentorship", "date"]),
            models.Index(fields=["date"]),
            # The last held check-in of each mentorship: the overview orders by it.
            models.Index(fields=["mentorship", "status", "date"], name="checkin_mentorship_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__lte=480), name="checkin_at_most_8_hours"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentorship} {self.date}"

    def topic_labels(self) -> list[str]:
        return [str(TOPIC_LABELS[t]) for t in self.topics if t in TOPIC_LABELS]

    def starts_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.date, self.time))


class MentorTask(models.TextChoices):
    STAFF_GROUP = "staff_group", _("Help the peer worker into the staff group")
    TASKS = "tasks", _("Help the peer worker get tasks and patient courses")
    SPARRING = "sparring", _("Professional sparring as needed")
    MODULES = "modules", _("Join selected education modules with the peer worker")
    CHIME = "chime", _("Teach documentation by CHIME")
    ERFA = "erfa", _("Join the online mentor erfa meeting (quarterly)")


class MentorshipTask(models.Model):
    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="tasks")
    task = models.CharField(_("task"), max_length=20, choices=MentorTask.choices)
    done_on = models.DateField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("mentor task")
        verbose_name_plural = _("mentor tasks")
        constraints = [
            models.UniqueConstraint(fields=["mentorship", "task"], name="one_task_row_each")
        ]

    def __str__(self) -> str:
        return self.get_task_display()


class ReminderSent(models.Model):
    """One row per reminder e-mail, so the daily command sends each only once a day."""

    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=100)
    day = models.DateField()
    to = models.EmailField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "day"], name="one_reminder_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.day}"
