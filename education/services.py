"""Writes for the education: cohorts and their schedule, enrolment and the waiting list,
attendance and completion, mandatory courses, erfa series, meetings and supervision."""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Iterable, Sequence
from typing import Any

from dateutil import rrule
from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from peerprogram.models import PeerWorker, StaffMember
from peerprogram.services import audit, create_or_save_versioned, save_versioned

from . import selectors
from .models import (
    CalendarFeed,
    Cohort,
    CohortModule,
    Course,
    CourseRecord,
    DayAttendance,
    Enrolment,
    ErfaGroup,
    MandatoryCourse,
    Meeting,
    MeetingAttendance,
    MeetingSeries,
    MentorModule,
    Module,
    TopicProposal,
    local_datetime,
    new_feed_token,
    next_weekday,
)


def standard_data_ensure() -> None:
    """Load the course, its modules, the mandatory courses and the two erfa groups if they
    are missing (the data migration's own loader; it adds nothing when they exist)."""
    migration = importlib.import_module("education.migrations.0002_standard_course")
    migration.load(apps, None)


# The course and its modules -----------------------------------------------------------


@transaction.atomic
def module_update(*, module: Module, by: User, expected_version: int, **changes: Any) -> Module:
    """Change a module's title or description; refuses if someone else saved it meanwhile."""
    summary = save_versioned(module, expected_version=expected_version, changes=changes)
    audit(by=by, action="module_update", obj=module, summary=summary)
    return module


# Cohorts ------------------------------------------------------------------------------


@transaction.atomic
def cohort_create(
    *,
    by: User | None,
    name: str,
    start_date: datetime.date,
    capacity: int,
    fee_dkk: int,
    default_place: str = "",
    status: str = Cohort.Status.PLANNING,
    course: Course | None = None,
) -> Cohort:
    """A new cohort with a row for each of the course's modules (dates to be set)."""
    course = course or Course.objects.order_by("pk").first()
    if course is None:
        raise ValidationError(_("The peer education course is missing. Ask an administrator."))
    cohort = Cohort(
        course=course,
        name=name,
        start_date=start_date,
        capacity=capacity,
        fee_dkk=fee_dkk,
        default_place=default_place,
        status=status,
    )
    cohort.full_clean()
    cohort.save()
    CohortModule.objects.bulk_create(
        CohortModule(cohort=cohort, module=m, place=default_place) for m in course.modules.all()
    )
    audit(by=by, action="cohort_create", obj=cohort)
    return cohort


@transaction.atomic
def cohort_update(
    *,
    cohort: Cohort,
    by: User | None,
    expected_version: int,
    schedule: Sequence[tuple[CohortModule, datetime.date | None, datetime.time, str]] | None = None,
    **changes: Any,
) -> tuple[Cohort, list[Enrolment]]:
    """Change a cohort and (optionally) its schedule: the first teaching day, start time
    and place of each module. More seats promote people from the waiting list at once."""
    if schedule is not None:
        _schedule_check(changes.get("start_date", cohort.start_date), schedule)
    summary = save_versioned(cohort, expected_version=expected_version, changes=changes)
    if schedule is not None:
        CohortModule.objects.bulk_update(
            [row[0] for row in schedule], ["first_day", "start_time", "place"]
        )
    audit(by=by, action="cohort_update", obj=cohort, summary=summary)
    return cohort, _promote(cohort, by=by)


def schedule_problems(
    start_date: datetime.date,
    rows: Sequence[tuple[CohortModule, datetime.date | None, datetime.time, str]],
) -> dict[int, list[str]]:
    """The problems of each row of a cohort's schedule (rows in module order), by its
    index: teaching days fall on weekdays, on or after the cohort's start, in the order of
    the modules, and two modules never share a day. The edit form puts them on the rows."""
    problems: dict[int, list[str]] = {}
    used: dict[datetime.date, CohortModule] = {}
    earlier: tuple[CohortModule, datetime.date] | None = None
    for index, (session, first_day, _start_time, _place) in enumerate(rows):
        if not first_day:
            continue
        found = problems.setdefault(index, [])
        label = str(session.module)
        if first_day.weekday() >= 5:
            found.append(_("Module %(module)s: teaching days are weekdays.") % {"module": label})
        elif first_day < start_date:
            found.append(
                _("Module %(module)s starts before the cohort's start (%(start)s).")
                % {"module": label, "start": date_format(start_date, "SHORT_DATE_FORMAT")}
            )
        if earlier is not None and first_day <= earlier[1]:
            found.append(
                _(
                    "Module %(module)s is placed on or before module %(other)s "
                    "(%(day)s): the modules come in their order."
                )
                % {
                    "module": label,
                    "other": earlier[0].module,
                    "day": date_format(earlier[1], "SHORT_DATE_FORMAT"),
                }
            )
        for day in [first_day, next_weekday(first_day)]:
            if day in used:
                found.append(
                    _("Module %(module)s and module %(other)s share %(day)s.")
                    % {
                        "module": label,
                        "other": used[day].module,
                        "day": date_format(day, "SHORT_DATE_FORMAT"),
                    }
                )
            used[day] = session
        earlier = (session, first_day)
        if not found:
            del problems[index]
    return problems


def _schedule_check(
    start_date: datetime.date,
    rows: Sequence[tuple[CohortModule, datetime.date | None, datetime.time, str]],
) -> None:
    for session, first_day, start_time, place in rows:
        session.first_day, session.start_time, session.place = first_day, start_time, place
    problems = schedule_problems(start_date, rows)
    if problems:
        raise ValidationError([message for found in problems.values() for message in found])


def _promote(cohort: Cohort, *, by: User | None) -> list[Enrolment]:
    """Fill free seats from the waiting list: the region's peer workers first, in the order
    they asked; external participants after them."""
    promoted: list[Enrolment] = []
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
    free = selectors.free_seats(cohort)
    today = timezone.localdate()
    waiting = sorted(
        (
            e
            for e in cohort.enrolments.filter(status=Enrolment.Status.WAITING).select_related(
                "peer"
            )
            # A peer worker who has left keeps no claim on a seat.
            if e.peer is None or e.peer.end_date is None or e.peer.end_date >= today
        ),
        key=lambda e: (e.peer_id is None, e.requested_at, e.pk),
    )
    for enrolment in waiting[: max(free, 0)]:
        enrolment.status = Enrolment.Status.ENROLLED
        enrolment.seat_since = timezone.now()
        enrolment.save(update_fields=["status", "seat_since"])
        audit(by=by, action="enrolment_promote", obj=enrolment)
        promoted.append(enrolment)
    return promoted


@transaction.atomic
def enrol(
    *,
    cohort: Cohort,
    by: User,
    peer: PeerWorker | None = None,
    external_name: str = "",
    external_organisation: str = "",
    external_contact: str = "",
    centre: bool = False,
) -> Enrolment:
    """A seat if one is free, otherwise a place on the waiting list. Leaders enrol while
    the cohort is open; Centre staff also while it is planned or running."""
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
    allowed = {Cohort.Status.OPEN}
    if centre:
        allowed |= {Cohort.Status.PLANNING, Cohort.Status.RUNNING}
    if cohort.status not in allowed:
        raise ValidationError(
            _("%(cohort)s is %(status)s: nobody can be enrolled now.")
            % {"cohort": cohort.name, "status": cohort.get_status_display().lower()}
        )
    if peer is not None:
        _check_peer_may_enrol(peer, cohort)
    seat = selectors.free_seats(cohort) > 0
    enrolment = Enrolment(
        cohort=cohort,
        peer=peer,
        external_name=external_name,
        external_organisation=external_organisation,
        external_contact=external_contact,
        paying_unit=peer.staff_member.unit if peer else None,
        status=Enrolment.Status.ENROLLED if seat else Enrolment.Status.WAITING,
        seat_since=timezone.now() if seat else None,
        enrolled_by=by,
    )
    enrolment.full_clean()
    enrolment.save()
    audit(by=by, action="enrol" if seat else "enrol_waiting", obj=enrolment)
    return enrolment


def _check_peer_may_enrol(peer: PeerWorker, cohort: Cohort) -> None:
    """One education per peer worker: not after completing it, not on two cohorts."""
    if peer.end_date and peer.end_date < timezone.localdate():
        raise ValidationError(_("%(peer)s is no longer employed.") % {"peer": peer.name})
    others = list(
        Enrolment.objects.filter(peer=peer)
        .exclude(status=Enrolment.Status.CANCELLED)
        .exclude(cohort=cohort)
        .select_related("cohort")
    )
    if not others:
        return
    earlier = selectors.education_by_peer([peer.pk]).get(peer.pk)
    if earlier and earlier.completed_on:
        raise ValidationError(
            _("%(peer)s completed the peer education on %(cohort)s.")
            % {"peer": peer.name, "cohort": earlier.enrolment.cohort}
        )
    for enrolment in others:
        if enrolment.cohort.status != Cohort.Status.COMPLETED:
            raise ValidationError(
                _(
                    "%(peer)s already has a place on %(cohort)s. Cancel it there first to "
                    "move to this cohort."
                )
                % {"peer": peer.name, "cohort": enrolment.cohort}
            )


@transaction.atomic
def enrolment_cancel(*, enrolment: Enrolment, by: User) -> list[Enrolment]:
    """Give up a seat (or a place on the waiting list). A freed seat goes to the next on
    the waiting list at once; returns who got it."""
    if enrolment.status == Enrolment.Status.CANCELLED:
        raise ValidationError(_("This enrolment is already cancelled."))
    if enrolment.cohort.status == Cohort.Status.COMPLETED:
        raise ValidationError(_("The cohort is completed; its participants stay on record."))
    enrolment.status = Enrolment.Status.CANCELLED
    enrolment.cancelled_at = timezone.now()
    enrolment.save(update_fields=["status", "cancelled_at"])
    audit(by=by, action="enrolment_cancel", obj=enrolment)
    return _promote(enrolment.cohort, by=by)


@transaction.atomic
def enrolment_mark_completed(
    *, enrolment: Enrolment, by: User, completed_on: datetime.date | None, reason: str
) -> Enrolment:
    """Centre staff mark a participant as completed (or take that back), with a reason,
    when attendance alone does not show it (e.g. a missed day made up elsewhere)."""
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise ValidationError(_("Only a participant with a seat can complete the education."))
    if completed_on and not reason.strip():
        raise ValidationError({"completion_reason": _("Say why the participant has completed.")})
    if completed_on and completed_on > timezone.localdate():
        raise ValidationError({"completed_on": _("The date cannot be in the future.")})
    enrolment.completed_on = completed_on
    enrolment.completion_reason = reason.strip() if completed_on else ""
    enrolment.save(update_fields=["completed_on", "completion_reason"])
    audit(by=by, action="enrolment_completed", obj=enrolment, summary=enrolment.completion_reason)
    return enrolment


@transaction.atomic
def attendance_save(
    *, session: CohortModule, by: User | None, present: set[tuple[int, int]]
) -> CohortModule:
    """The register of one module: (enrolment id, day) pairs of who was there."""
    if not session.first_day:
        raise ValidationError(_("Set the module's dates before taking attendance."))
    if session.first_day > timezone.localdate():
        raise ValidationError(_("Attendance is taken on or after the teaching day."))
    seated_ids = set(
        session.cohort.enrolments.filter(status=Enrolment.Status.ENROLLED).values_list(
            "pk", flat=True
        )
    )
    DayAttendance.objects.filter(session=session).delete()
    DayAttendance.objects.bulk_create(
        DayAttendance(session=session, enrolment_id=e, day=d)
        for e, d in sorted(present)
        if e in seated_ids and d in (1, 2)
    )
    audit(by=by, action="attendance_save", obj=session.cohort, summary=str(session.module))
    return session


@transaction.atomic
def mentor_modules_set(
    *, cohort: Cohort, mentor: StaffMember, sessions: list[CohortModule], by: User
) -> list[CohortModule]:
    """The modules a mentor attends with their peer worker on this cohort."""
    if any(s.cohort_id != cohort.pk for s in sessions):
        raise ValidationError(_("A module of another cohort was chosen."))
    MentorModule.objects.filter(session__cohort=cohort, mentor=mentor).delete()
    MentorModule.objects.bulk_create(MentorModule(session=s, mentor=mentor) for s in sessions)
    audit(
        by=by,
        action="mentor_modules",
        obj=cohort,
        summary=f"{mentor.name}: {', '.join(str(s.module.number) for s in sessions)}",
    )
    return sessions


# Mandatory courses ---------------------------------------------------------------------


@transaction.atomic
def course_records_save(
    *,
    peer: PeerWorker,
    by: User,
    rows: list[tuple[MandatoryCourse, datetime.date | None, datetime.date | None]],
) -> PeerWorker:
    """Enrolled and completed dates of each mandatory course for one peer worker."""
    today = timezone.localdate()
    errors = []
    for course, enrolled_on, completed_on in rows:
        if completed_on and completed_on > today:
            errors.append(
                _("%(course)s: the completion date cannot be in the future.")
                % {"course": course.name}
            )
        if enrolled_on and completed_on and completed_on < enrolled_on:
            errors.append(_("%(course)s: completed before enrolled.") % {"course": course.name})
    if errors:
        raise ValidationError(errors)
    for course, enrolled_on, completed_on in rows:
        CourseRecord.objects.update_or_create(
            peer=peer,
            course=course,
            defaults={"enrolled_on": enrolled_on, "completed_on": completed_on},
        )
    audit(by=by, action="courses_save", obj=peer)
    return peer


@transaction.atomic
def mandatory_course_save(
    *,
    course: MandatoryCourse | None,
    by: User,
    expected_version: int | None = None,
    **fields: Any,
) -> MandatoryCourse:
    """Add a mandatory course (`course` None) or change one; a change is refused if someone
    else saved the course after `expected_version` (by default the version `course` was
    read with)."""
    course, summary = create_or_save_versioned(
        MandatoryCourse, course, expected_version=expected_version, fields=fields
    )
    audit(by=by, action="mandatory_course_save", obj=course, summary=summary)
    return course


# Erfa groups, series and meetings ------------------------------------------------------


@transaction.atomic
def group_save(
    *,
    group: ErfaGroup | None,
    by: User,
    members: Iterable[StaffMember] = (),
    expected_version: int | None = None,
    **fields: Any,
) -> ErfaGroup:
    """Add an erfa group (`group` None) or change one; a change is refused if someone else
    saved the group after `expected_version` (by default the version `group` was read
    with)."""
    chosen = {member.pk for member in members}
    before = set(group.members.values_list("pk", flat=True)) if group else None
    group, summary = create_or_save_versioned(
        ErfaGroup, group, expected_version=expected_version, fields=fields
    )
    if before is None:
        group.members.set(chosen)
    elif chosen != before:
        group.members.set(chosen)
        changed = [name for name in summary.split(", ") if name]
        summary = ", ".join(sorted([*changed, "members"]))
    audit(by=by, action="erfa_group_save", obj=group, summary=summary)
    return group


def series_dates(
    *,
    frequency: str,
    interval: int,
    weekday: int,
    week_of_month: int,
    first_date: datetime.date,
    last_date: datetime.date,
) -> list[datetime.date]:
    """The dates a rule gives in a period, e.g. the second Tuesday of every month."""
    if frequency == MeetingSeries.Frequency.MONTHLY:
        rule = rrule.rrule(
            rrule.MONTHLY,
            interval=interval,
            byweekday=rrule.weekday(weekday)(week_of_month),
            dtstart=first_date,
            until=last_date,
        )
    else:
        rule = rrule.rrule(
            rrule.WEEKLY,
            interval=interval,
            byweekday=weekday,
            dtstart=first_date,
            until=last_date,
        )
    return [moment.date() for moment in rule]


MAX_SERIES_MEETINGS = 120


# A series whose meetings alternate: internal, then external knowledge sharing.
ALTERNATE = "alternate"


def _days_of(series: MeetingSeries) -> list[datetime.date]:
    """The days a series' rule gives over its period."""
    return series_dates(
        frequency=series.frequency,
        interval=series.interval,
        weekday=series.weekday,
        week_of_month=series.week_of_month,
        first_date=series.first_date,
        last_date=series.last_date,
    )


def _meeting_days(group: ErfaGroup, days: list[datetime.date]) -> set[datetime.date]:
    """The days among these on which the group already has a meeting (not cancelled)."""
    if not days:
        return set()
    meetings = group.meetings.exclude(status=Meeting.Status.CANCELLED).filter(
        starts_at__gte=local_datetime(min(days), datetime.time.min),
        starts_at__lte=local_datetime(max(days), datetime.time.max),
    )
    return {timezone.localdate(m) for m in meetings.values_list("starts_at", flat=True)}


def series_preview(
    *,
    group: ErfaGroup,
    frequency: str,
    interval: int,
    weekday: int,
    week_of_month: int,
    first_date: datetime.date,
    last_date: datetime.date,
    **_ignored: Any,
) -> list[tuple[datetime.date, bool]]:
    """The days a rule gives, each with whether the group already meets then (skipped)."""
    rule = MeetingSeries(
        frequency=frequency,
        interval=interval,
        weekday=weekday,
        week_of_month=week_of_month,
        first_date=first_date,
        last_date=last_date,
    )
    dates = _days_of(rule)[: MAX_SERIES_MEETINGS + 1]
    taken = _meeting_days(group, dates)
    return [(day, day in taken) for day in dates]


@transaction.atomic
def series_remove(*, series: MeetingSeries, by: User) -> int:
    """Undo a series: its meetings still to come that nobody has recorded anything on (no
    attendance, no chosen topic) go, and so does the series once it has none left. Returns
    how many meetings went."""
    today_start = local_datetime(timezone.localdate(), datetime.time.min)
    removable = series.meetings.filter(starts_at__gte=today_start).exclude(
        Exists(MeetingAttendance.objects.filter(meeting=OuterRef("pk")))
    )
    removable = removable.filter(topic="")
    count = removable.count()
    removable.delete()
    audit(by=by, action="series_remove", obj=series, summary=f"{count}")
    if not series.meetings.exists():
        series.delete()
    return count


@transaction.atomic
def series_create(
    *,
    group: ErfaGroup,
    by: User,
    frequency: str,
    interval: int,
    weekday: int,
    week_of_month: int,
    start_time: datetime.time,
    end_time: datetime.time,
    first_date: datetime.date,
    last_date: datetime.date,
    kind: str,
    place: str | None = None,
    online_link: str | None = None,
) -> tuple[MeetingSeries, list[Meeting]]:
    """Generate the meetings of a rule for a period, in Copenhagen wall-clock time (13:00
    stays 13:00 on both sides of a change to or from summer time). A day the group already
    meets on is skipped (series_preview shows which); `kind` "alternate" gives internal and
    external knowledge sharing in turn, internal first. The place and link default to the
    group's."""
    series = MeetingSeries(
        group=group,
        frequency=frequency,
        interval=interval,
        weekday=weekday,
        week_of_month=week_of_month,
        start_time=start_time,
        end_time=end_time,
        first_date=first_date,
        last_date=last_date,
        created_by=by,
    )
    series.full_clean()
    dates = _days_of(series)
    taken = _meeting_days(group, dates)
    dates = [day for day in dates if day not in taken]
    if not dates:
        if taken:
            raise ValidationError(_("The group already meets on every day the rule gives."))
        raise ValidationError(_("The rule gives no meetings in this period."))
    if len(dates) > MAX_SERIES_MEETINGS:
        raise ValidationError(
            _(
                "The rule gives %(count)s meetings; at most %(max)s at a time. "
                "Choose a shorter period."
            )
            % {"count": len(dates), "max": MAX_SERIES_MEETINGS}
        )
    series.save()
    kinds: list[str] = (
        [Meeting.Kind.INTERNAL, Meeting.Kind.EXTERNAL] if kind == ALTERNATE else [kind]
    )
    meetings = Meeting.objects.bulk_create(
        Meeting(
            group=group,
            series=series,
            series_date=day,
            kind=kinds[n % len(kinds)],
            starts_at=local_datetime(day, start_time),
            ends_at=local_datetime(day, end_time),
            online_link=group.online_link if online_link is None else online_link,
            place=group.place if place is None else place,
            facilitator=group.facilitator,
        )
        for n, day in enumerate(dates)
    )
    audit(by=by, action="series_create", obj=series, summary=f"{len(meetings)}")
    return series, meetings


@transaction.atomic
def meeting_update(*, meeting: Meeting, by: User, expected_version: int, **changes: Any) -> Meeting:
    """Edit one meeting. Moving it keeps it in its series, remembering the first time."""
    moved = (
        changes.get("starts_at") is not None
        and changes["starts_at"] != meeting.starts_at
        and meeting.moved_from is None
    )
    if moved:
        changes["moved_from"] = meeting.starts_at
    summary = save_versioned(meeting, expected_version=expected_version, changes=changes)
    audit(by=by, action="meeting_update", obj=meeting, summary=summary)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: User, reason: str, expected_version: int) -> Meeting:
    if meeting.is_cancelled:
        raise ValidationError(_("The meeting is already cancelled."))
    save_versioned(
        meeting,
        expected_version=expected_version,
        changes={"status": Meeting.Status.CANCELLED, "cancel_reason": reason.strip()},
    )
    audit(by=by, action="meeting_cancel", obj=meeting, summary=reason)
    return meeting


@transaction.atomic
def meeting_restore(*, meeting: Meeting, by: User, expected_version: int) -> Meeting:
    save_versioned(
        meeting,
        expected_version=expected_version,
        changes={"status": Meeting.Status.PLANNED, "cancel_reason": ""},
    )
    audit(by=by, action="meeting_restore", obj=meeting)
    return meeting


@transaction.atomic
def meeting_attendance_save(*, meeting: Meeting, by: User, people: list[StaffMember]) -> Meeting:
    if meeting.is_cancelled:
        raise ValidationError(_("Nobody attends a cancelled meeting."))
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("Attendance is taken once the meeting has begun."))
    MeetingAttendance.objects.filter(meeting=meeting).delete()
    MeetingAttendance.objects.bulk_create(
        MeetingAttendance(meeting=meeting, person=p) for p in people
    )
    audit(by=by, action="meeting_attendance", obj=meeting, summary=str(len(people)))
    return meeting


@transaction.atomic
def supervision_create(
    *,
    by: User,
    participants: list[PeerWorker],
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    supervisor: str,
    supervisor_organisation: str = "",
    topic: str = "",
    place: str = "",
    online_link: str = "",
    facilitator: StaffMember | None = None,
    repeat_weeks: int = 0,
    sessions: int = 1,
) -> Meeting:
    """Supervision for one peer worker or a group of them: one session, or `sessions`
    sessions `repeat_weeks` weeks apart (the same local time of day). The first is
    returned."""
    if not participants:
        raise ValidationError({"participants": _("Choose at least one peer worker.")})
    count = sessions if repeat_weeks else 1
    local_start, local_end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    created: list[Meeting] = []
    for n in range(count):
        shift = datetime.timedelta(weeks=repeat_weeks * n)
        meeting = Meeting(
            kind=Meeting.Kind.SUPERVISION,
            starts_at=_same_local_time(local_start, shift),
            ends_at=_same_local_time(local_end, shift),
            supervisor=supervisor,
            supervisor_organisation=supervisor_organisation,
            topic=topic,
            place=place,
            online_link=online_link,
            facilitator=facilitator,
        )
        meeting.full_clean()
        meeting.save()
        meeting.participants.set(participants)
        created.append(meeting)
    audit(
        by=by,
        action="supervision_create",
        obj=created[0],
        summary=f"{count} session(s), {len(participants)} peer worker(s)",
    )
    return created[0]


def _same_local_time(moment: datetime.datetime, shift: datetime.timedelta) -> datetime.datetime:
    """The same wall-clock time `shift` later, across a change to or from summer time."""
    naive = moment.replace(tzinfo=None) + shift
    return timezone.make_aware(naive, timezone.get_current_timezone())


@transaction.atomic
def topic_propose(
    *, group: ErfaGroup, by: User, person: StaffMember | None, title: str, description: str
) -> TopicProposal:
    proposal = TopicProposal(group=group, proposed_by=person, title=title, description=description)
    proposal.full_clean()
    proposal.save()
    audit(by=by, action="topic_propose", obj=proposal)
    return proposal


@transaction.atomic
def topic_choose(*, proposal: TopicProposal, meeting: Meeting, by: User) -> TopicProposal:
    """Centre staff pick a proposed topic for an external knowledge-sharing meeting."""
    if meeting.group_id != proposal.group_id:
        raise ValidationError({"meeting": _("Choose a meeting of the same group.")})
    if meeting.is_cancelled or meeting.starts_at < timezone.now():
        raise ValidationError({"meeting": _("Choose a coming meeting that is not cancelled.")})
    proposal.status = TopicProposal.Status.CHOSEN
    proposal.meeting = meeting
    proposal.save(update_fields=["status", "meeting"])
    meeting.topic = proposal.title
    meeting.kind = Meeting.Kind.EXTERNAL
    meeting.save(update_fields=["topic", "kind"])
    audit(by=by, action="topic_choose", obj=proposal, summary=str(meeting))
    return proposal


# Calendar feeds ------------------------------------------------------------------------


def feed_for(person: StaffMember) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(person=person)
    return feed


@transaction.atomic
def feed_renew(*, person: StaffMember, by: User) -> CalendarFeed:
    """A new secret address; the old one stops working at once."""
    feed = feed_for(person)
    feed.token = new_feed_token()
    feed.renewed_at = timezone.now()
    feed.save(update_fields=["token", "renewed_at"])
    audit(by=by, action="feed_renew", obj=feed)
    return feed
