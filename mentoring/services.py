"""Writes for mentorships: appointing a mentor, the check-in schedule, logging, tasks."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateformat import time_format
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peerprogram.access import get_actor
from peerprogram.models import PeerWorker, StaffMember
from peerprogram.services import audit, save_versioned

from .models import (
    AwayPeriod,
    CheckIn,
    Mentorship,
    MentorshipTask,
    MentorTask,
    ReminderSent,
    Topic,
)

logger = logging.getLogger(__name__)


def send_once(kind: str, key: str, day: datetime.date, to: str, subject: str, body: str) -> bool:
    """Send and record a reminder e-mail, unless one of this kind and key was recorded for
    `day` (the daily commands: today, so once a day). A failed send is not recorded, so
    the next run tries again; it does not stop the other reminders. Never put patient data
    in a reminder."""
    if ReminderSent.objects.filter(kind=kind, key=key, day=day).exists():
        return False
    try:
        with transaction.atomic():
            ReminderSent.objects.create(kind=kind, key=key, day=day, to=to)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except IntegrityError:
        return False
    except OSError as exc:  # SMTP trouble
        logger.error("Reminder %s %s to %s failed: %s", kind, key, to, exc)
        return False
    return True


def last_held_on() -> Subquery:
    """The date of a mentorship's newest held check-in (OuterRef("pk") is the mentorship).
    Newest first and the first row, not MAX(): one step down the index
    (mentorship, status, date)."""
    return Subquery(
        CheckIn.objects.filter(mentorship=OuterRef("pk"), status=CheckIn.Status.HELD)
        .order_by("-date")
        .values("date")[:1]
    )


def _last_held_refresh(mentorship_ids: Iterable[int | None]) -> None:
    """Set `Mentorship.last_held_on` again from the check-ins, in one UPDATE: the end of
    every service below that writes check-ins, and nowhere else."""
    ids = {pk for pk in mentorship_ids if pk is not None}
    if ids:
        Mentorship.objects.filter(pk__in=ids).order_by().update(last_held_on=last_held_on())


@transaction.atomic
def checkin_change(*, checkin: CheckIn, by: User, moved_from: int | None = None) -> CheckIn:
    """A check-in changed by an administrator (the admin's form): saved, and the last held
    date of its mentorship, and of the one it was moved away from, counted again."""
    checkin.full_clean()
    checkin.save()
    _last_held_refresh([checkin.mentorship_id, moved_from])
    audit(by=by, action="checkin_change", obj=checkin)
    return checkin


@transaction.atomic
def checkins_load(*, checkins: Iterable[CheckIn]) -> list[CheckIn]:
    """A history of check-ins written in one INSERT (the demo and scale seeds); the last
    held date of every mentorship touched counted again."""
    created = CheckIn.objects.bulk_create(checkins, batch_size=2000)
    _last_held_refresh({c.mentorship_id for c in created})
    return created


@transaction.atomic
def checkins_delete(*, checkins: QuerySet[CheckIn], by: User) -> int:
    """Remove check-ins (the admin); their mentorships' last held date is counted again."""
    touched = set(checkins.values_list("mentorship_id", flat=True))
    removed = list(checkins)
    for checkin in removed:
        audit(by=by, action="checkin_delete", obj=checkin)
    count, _per_model = CheckIn.objects.filter(pk__in=[c.pk for c in removed]).delete()
    _last_held_refresh(touched)
    return count


def _away_days(mentor: StaffMember) -> list[tuple[datetime.date, datetime.date]]:
    return list(AwayPeriod.objects.filter(mentor=mentor).values_list("first_day", "last_day"))


def _is_away(day: datetime.date, away: list[tuple[datetime.date, datetime.date]]) -> bool:
    return any(first <= day <= last for first, last in away)


def schedule_dates(
    *,
    start: datetime.date,
    weekday: int,
    count: int,
    away: list[tuple[datetime.date, datetime.date]],
    taken: set[datetime.date] | None = None,
    monthly: bool = False,
) -> list[datetime.date]:
    """`count` meeting dates on `weekday` from `start`, weekly (or monthly), never on a day
    the mentor is away or on a date already taken; an away week moves the meeting on."""
    taken = taken or set()
    if monthly:
        return _monthly_dates(start, weekday, count, away, taken)
    day = _on_weekday(start, weekday)
    dates: list[datetime.date] = []
    guard = 0
    while len(dates) < count and guard < count * 10:
        guard += 1
        if not _is_away(day, away) and day not in taken:
            dates.append(day)
        day += datetime.timedelta(days=7)
    return dates


def _on_weekday(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def _monthly_dates(
    start: datetime.date,
    weekday: int,
    count: int,
    away: list[tuple[datetime.date, datetime.date]],
    taken: set[datetime.date],
) -> list[datetime.date]:
    """One meeting a month, counted from the start (no drift): the chosen weekday in the
    week of the same day of the month; an away week moves it on within that month. Never
    before the start, never twice on one date."""
    taken = set(taken)
    dates: list[datetime.date] = []
    month = 0
    while len(dates) < count and month < count * 3:
        anchor = start + relativedelta(months=month)
        month += 1
        day = _on_weekday(anchor, weekday)
        if day.month != anchor.month:  # late in the month: the week before, not next month
            day -= datetime.timedelta(days=7)
        if day < start:
            day += datetime.timedelta(days=7)
        while (_is_away(day, away) or day in taken) and day.month == anchor.month:
            day += datetime.timedelta(days=7)
        if day.month != anchor.month or _is_away(day, away) or day in taken:
            continue  # the whole month is away: no meeting that month
        dates.append(day)
        taken.add(day)
    return dates


def _plan(mentorship: Mentorship, dates: list[datetime.date]) -> None:
    CheckIn.objects.bulk_create(
        CheckIn(
            mentorship=mentorship,
            date=d,
            time=mentorship.meeting_time,
            duration_minutes=settings.MENTORING_CHECKIN_MINUTES,
        )
        for d in dates
    )


@transaction.atomic
def schedule_refresh(*, mentorship: Mentorship, today: datetime.date | None = None) -> int:
    """Re-plan the future check-ins that nobody has touched (after away days or a new
    weekday), keeping the total for the period. Returns how many are planned now."""
    today = today or timezone.localdate()
    untouched = mentorship.checkins.filter(
        status=CheckIn.Status.PLANNED, moved_from__isnull=True, date__gte=today
    )
    untouched.delete()
    kept = list(mentorship.checkins.values_list("date", flat=True))
    monthly = mentorship.rhythm == Mentorship.Rhythm.MONTHLY
    away = _away_days(mentorship.mentor)
    if monthly:
        # Open-ended: always the next MENTORING_MONTHLY_COUNT meetings planned, in the
        # series counted from six months after the start, one per month.
        ahead = mentorship.checkins.filter(status=CheckIn.Status.PLANNED, date__gte=today)
        missing = max(0, settings.MENTORING_MONTHLY_COUNT - ahead.count())
        series_start = _monthly_start(mentorship)
        months_so_far = max(
            0, (today.year - series_start.year) * 12 + today.month - series_start.month
        )
        candidates = schedule_dates(
            start=series_start,
            weekday=mentorship.weekday,
            count=months_so_far + settings.MENTORING_MONTHLY_COUNT * 2,
            away=away,
            monthly=True,
        )
        kept_months = {(d.year, d.month) for d in kept if d >= today}
        dates = [d for d in candidates if d >= today and (d.year, d.month) not in kept_months][
            :missing
        ]
    else:
        missing = max(0, settings.MENTORING_WEEKS - len(kept))
        dates = schedule_dates(
            start=max(mentorship.start_date, today),
            weekday=mentorship.weekday,
            count=missing,
            away=away,
            taken=set(kept),
        )
    _plan(mentorship, dates)
    return mentorship.checkins.filter(status=CheckIn.Status.PLANNED).count()


def _monthly_start(mentorship: Mentorship) -> datetime.date:
    return mentorship.start_date + relativedelta(months=6)


@transaction.atomic
def mentor_assign(
    *,
    peer: PeerWorker,
    mentor: StaffMember,
    start_date: datetime.date,
    by: User | None,
    weekday: int | None = None,
    meeting_time: datetime.time | None = None,
    kind: str = Mentorship.Kind.MENTOR,
) -> Mentorship:
    """Appoint a mentor, or a buddy beside the mentor; an earlier active mentorship of the
    same kind ends as a new match (history kept). The mentor or buddy may work in another
    unit (e.g. an experienced peer worker). The weekly check-ins of the first six months
    are planned at once."""
    if mentor.pk == peer.staff_member_id:
        raise ValidationError({"mentor": _("A peer worker cannot be their own mentor.")})
    if not mentor.active:
        raise ValidationError({"mentor": _("Choose an active staff member.")})
    PeerWorker.objects.select_for_update().filter(pk=peer.pk).first()  # one at a time
    active = Mentorship.objects.select_for_update().filter(peer=peer, end_date__isnull=True)
    if any(m.mentor_id == mentor.pk and m.kind != kind for m in active):
        raise ValidationError(
            {"mentor": _("This person is already the peer worker's mentor or buddy.")}
        )
    current = active.filter(kind=kind).first()
    if current:
        if current.mentor_id == mentor.pk:
            raise ValidationError({"mentor": _("This person is already the mentor.")})
        mentorship_end(
            mentorship=current,
            by=by,
            end_date=max(start_date, current.start_date),
            reason=Mentorship.EndReason.NEW_MATCH,
        )
    mentorship = Mentorship(
        peer=peer,
        mentor=mentor,
        kind=kind,
        start_date=start_date,
        weekday=settings.MENTORING_DEFAULT_WEEKDAY if weekday is None else weekday,
        meeting_time=meeting_time or datetime.time.fromisoformat(settings.MENTORING_DEFAULT_TIME),
        created_by=by,
    )
    mentorship.full_clean()
    mentorship.save()
    MentorshipTask.objects.bulk_create(
        MentorshipTask(mentorship=mentorship, task=task) for task in MentorTask.values
    )
    _plan(
        mentorship,
        schedule_dates(
            start=start_date,
            weekday=mentorship.weekday,
            count=settings.MENTORING_WEEKS,
            away=_away_days(mentor),
        ),
    )
    audit(by=by, action="mentor_assign", obj=mentorship, summary=f"{mentor} → {peer}")
    return mentorship


@transaction.atomic
def mentorship_end(
    *, mentorship: Mentorship, by: User | None, end_date: datetime.date, reason: str
) -> Mentorship:
    """End a mentorship; its check-ins after the end are removed, the history stays."""
    mentorship.end_date = end_date
    mentorship.end_reason = reason
    mentorship.full_clean()
    mentorship.save(update_fields=["end_date", "end_reason"])
    mentorship.checkins.filter(status=CheckIn.Status.PLANNED, date__gt=end_date).delete()
    audit(by=by, action="mentorship_end", obj=mentorship, summary=reason)
    return mentorship


@transaction.atomic
def mentorship_continue_monthly(*, mentorship: Mentorship, by: User | None) -> Mentorship:
    """After the first six months: meet monthly; the next six meetings are planned."""
    if not mentorship.is_active:
        raise ValidationError(_("The mentorship has ended."))
    if mentorship.rhythm == Mentorship.Rhythm.MONTHLY:
        raise ValidationError(_("The mentorship already meets monthly."))
    mentorship.rhythm = Mentorship.Rhythm.MONTHLY
    mentorship.save(update_fields=["rhythm"])
    schedule_refresh(mentorship=mentorship)
    audit(by=by, action="mentorship_monthly", obj=mentorship)
    return mentorship


@transaction.atomic
def away_add(
    *,
    mentor: StaffMember,
    by: User,
    first_day: datetime.date,
    last_day: datetime.date,
    note: str = "",
) -> AwayPeriod:
    """Mark days away; the mentor's untouched future check-ins are planned around them."""
    period = AwayPeriod(mentor=mentor, first_day=first_day, last_day=last_day, note=note)
    period.full_clean()
    period.save()
    for mentorship in Mentorship.objects.filter(mentor=mentor, end_date__isnull=True):
        schedule_refresh(mentorship=mentorship)
    audit(by=by, action="away_add", obj=period)
    return period


@transaction.atomic
def away_remove(*, period: AwayPeriod, by: User) -> None:
    mentor = period.mentor
    period.delete()
    for mentorship in Mentorship.objects.filter(mentor=mentor, end_date__isnull=True):
        schedule_refresh(mentorship=mentorship)
    audit(by=by, action="away_remove", obj=mentor)


@transaction.atomic
def checkin_log(
    *,
    checkin: CheckIn,
    by: User | None,
    outcome: str,
    expected_version: int,
    duration_minutes: int | None = None,
    topics: list[str] | None = None,
    note: str = "",
    new_date: datetime.date | None = None,
) -> CheckIn:
    """Log a check-in as held, cancelled or moved to a new date."""
    if not checkin.mentorship.is_active:
        raise ValidationError(_("The mentorship has ended; its check-ins can no longer change."))
    topics = [t for t in (topics or []) if t in Topic.values]
    changes: dict[str, Any] = {
        "note": note,
        "topics": topics,
        "logged_by": by,
        "logged_at": timezone.now(),
    }
    if outcome == "held":
        if checkin.date > timezone.localdate():
            raise ValidationError(
                {"outcome": _("A check-in can be logged as held on its day or later.")}
            )
        changes.update(
            status=CheckIn.Status.HELD,
            duration_minutes=duration_minutes or settings.MENTORING_CHECKIN_MINUTES,
        )
    elif outcome == "cancelled":
        changes["status"] = CheckIn.Status.CANCELLED
    elif outcome == "moved":
        if not new_date:
            raise ValidationError({"new_date": _("Choose the new date.")})
        if new_date == checkin.date:
            raise ValidationError({"new_date": _("The new date is the same as the old one.")})
        changes.update(
            status=CheckIn.Status.PLANNED,
            date=new_date,
            moved_from=checkin.moved_from or checkin.date,
        )
    else:
        raise ValidationError(_("Unknown outcome."))
    summary = save_versioned(checkin, expected_version=expected_version, changes=changes)
    _last_held_refresh([checkin.mentorship_id])
    audit(by=by, action=f"checkin_{outcome}", obj=checkin, summary=summary)
    return checkin


@transaction.atomic
def checkins_move(*, moves: list[tuple[CheckIn, datetime.date, int]], by: User) -> list[CheckIn]:
    """Planned check-ins moved to other days at their own time, all or none (each at the
    version it was read in: a check-in changed meanwhile refuses the whole move). The
    mentor and the peer worker are told by e-mail when someone else moved their meeting."""
    errors: dict[str, list[ValidationError]] = {}
    for checkin, new_date, _version in moves:
        key = f"checkin-{checkin.pk}"
        if not checkin.mentorship.is_active or checkin.status != CheckIn.Status.PLANNED:
            errors[key] = [ValidationError(_("This check-in can no longer be moved."))]
        elif new_date == checkin.date:
            errors[key] = [ValidationError(_("The new date is the same as the old one."))]
        elif new_date < timezone.localdate():
            errors[key] = [ValidationError(_("A check-in is moved to today or a later day."))]
    if errors:
        raise ValidationError(errors)
    moved = []
    for checkin, new_date, version in moves:
        old = checkin.date
        summary = save_versioned(
            checkin,
            expected_version=version,
            changes={"date": new_date, "moved_from": checkin.moved_from or old},
        )
        audit(by=by, action="checkin_moved", obj=checkin, summary=summary)
        moved.append(checkin)
    _last_held_refresh({c.mentorship_id for c in moved})
    transaction.on_commit(lambda: _tell_moved(moved, by))
    return moved


def _tell_moved(moved: list[CheckIn], by: User) -> None:
    """One e-mail to each mentor and peer worker whose check-ins someone else moved: the
    new days and times, and who moved them (no notes, nothing about patients)."""
    mover = get_actor(by).staff
    per_person: dict[str, list[CheckIn]] = defaultdict(list)
    for checkin in moved:
        m = checkin.mentorship
        for person in (m.mentor, m.peer.staff_member):
            if person.email and (mover is None or person.pk != mover.pk):
                per_person[person.email].append(checkin)
    for to, checkins in per_person.items():
        lines = [
            _("%(old)s → %(new)s at %(time)s (with %(peer)s and %(mentor)s)")
            % {
                "old": date_format(c.moved_from, "SHORT_DATE_FORMAT") if c.moved_from else "",
                "new": date_format(c.date, "SHORT_DATE_FORMAT"),
                "time": time_format(c.time, "H:i"),
                "peer": c.mentorship.peer.name,
                "mentor": c.mentorship.mentor.name,
            }
            for c in checkins
        ]
        subject = ngettext("A check-in has moved", "%(n)s check-ins have moved", len(checkins)) % {
            "n": len(checkins)
        }
        body = "\n".join(
            [
                _("%(name)s moved these check-ins to other days:")
                % {"name": mover.name if mover else by.get_username()},
                "",
                *lines,
            ]
        )
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
        except OSError:
            logger.warning("The e-mail about moved check-ins could not be sent.")


@transaction.atomic
def task_set_done(*, task: MentorshipTask, by: User, done: bool) -> MentorshipTask:
    if not task.mentorship.is_active:
        raise ValidationError(_("The mentorship has ended."))
    task.done_on = timezone.localdate() if done else None
    task.save(update_fields=["done_on"])
    audit(by=by, action="mentor_task_done" if done else "mentor_task_undone", obj=task)
    return task
