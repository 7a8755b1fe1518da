"""Mentorships with their check-ins, tasks, away days and the mentors' introductions.

As `mentoring.services.mentor_assign` does it: a mentor from the peer worker's own unit,
26 weekly check-ins from the start planned around the mentor's away days, then (after six
months) monthly meetings with the next six planned ahead. Past check-ins are mostly held
with topics, some cancelled, a few moved; the newest few are sometimes not logged yet.
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings

from mentoring.models import (
    AwayPeriod,
    CheckIn,
    MentorIntroduction,
    Mentorship,
    MentorshipTask,
    MentorTask,
    Topic,
)
from mentoring.services import checkins_load, schedule_dates
from peerprogram.models import PeerWorker, StaffMember

from . import texts
from .base import World, aware, bulk, days

TIMES = [datetime.time(9, 0), datetime.time(10, 0), datetime.time(13, 0), datetime.time(14, 30)]
# When each mentor task is usually done, in days from the start.
TASK_DAYS: dict[str, int] = {
    MentorTask.STAFF_GROUP: 14,
    MentorTask.TASKS: 30,
    MentorTask.CHIME: 45,
    MentorTask.SPARRING: 60,
    MentorTask.ERFA: 90,
    MentorTask.MODULES: 120,
}
TOPICS = list(Topic.values)


def build(w: World) -> None:
    away = _away_periods(w)
    plans = []  # (mentorship, weekly dates, monthly dates)
    for peer in w.peers:
        for mentorship in _mentorships_of(w, peer):
            plans.append((mentorship, *_dates(w, mentorship, away.get(mentorship.mentor.pk, []))))
    bulk(Mentorship, [m for m, _, _ in plans])
    checkins, tasks = [], []
    for mentorship, weekly, monthly in plans:
        checkins += _checkins(w, mentorship, weekly, monthly)
        tasks += _tasks(w, mentorship)
        w.mentor_spans[mentorship.mentor].append(
            (mentorship.start_date, mentorship.end_date or w.today)
        )
        if mentorship.end_date is None:
            w.mentor_now[mentorship.peer.pk] = mentorship.mentor
    checkins_load(checkins=checkins)
    bulk(MentorshipTask, tasks)
    first: dict[int, tuple[StaffMember, datetime.date]] = {}
    for mentorship, _, _ in plans:
        start = first.get(mentorship.mentor.pk)
        if start is None or mentorship.start_date < start[1]:
            first[mentorship.mentor.pk] = (mentorship.mentor, mentorship.start_date)
    bulk(
        MentorIntroduction,
        [
            MentorIntroduction(staff_member=mentor, attended_on=start - days(w.rng.randint(14, 60)))
            for mentor, start in first.values()
        ],
    )


def _away_periods(w: World) -> dict[int, list[tuple[datetime.date, datetime.date]]]:
    """Three weeks of summer holiday each year for some of the mentors."""
    periods, rows = {}, []
    mentors = {m.pk: m for group in w.mentors.values() for m in group}
    for mentor in mentors.values():
        if w.rng.random() > 0.4:
            continue
        spans = []
        for year in range(w.today.year - 3, w.today.year + 2):
            first = datetime.date(year, 7, 1) + days(w.rng.randint(0, 14))
            spans.append((first, first + days(20)))
            rows.append(
                AwayPeriod(mentor=mentor, first_day=first, last_day=first + days(20), note="Ferie")
            )
        periods[mentor.pk] = spans
    bulk(AwayPeriod, rows)
    return periods


def _mentorships_of(w: World, peer: PeerWorker) -> list[Mentorship]:
    """One mentorship from the start; some peers changed mentor once; a peer who left
    ended theirs on the last day."""
    unit_id = peer.staff_member.unit_id
    anchor = w.anchors[unit_id] is peer
    mentor = w.mentors[unit_id][0] if anchor else w.rng.choice(w.mentors[unit_id])
    others = [c for c in w.colleagues[unit_id] if c is not mentor]
    by = w.leader_user(unit_id)
    starts = [(peer.start_date, mentor)]
    if (
        not anchor
        and others
        and peer.end_date is None
        and peer.start_date < w.today - relativedelta(months=14)
        and w.rng.random() < 0.15
    ):
        starts.append((peer.start_date + relativedelta(months=w.rng.randint(7, 12)), others[0]))
    made = []
    for index, (start, who) in enumerate(starts):
        last = index == len(starts) - 1
        end, reason = None, ""
        if not last:
            end = starts[index + 1][0] - days(1)
            reason = w.rng.choice(
                [Mentorship.EndReason.MENTOR_LEFT, Mentorship.EndReason.NEW_MATCH]
            )
        elif peer.end_date:
            end, reason = peer.end_date, Mentorship.EndReason.PEER_LEFT
        made.append(
            Mentorship(
                peer=peer,
                mentor=who,
                start_date=start,
                end_date=end,
                end_reason=reason,
                weekday=w.rng.choices(range(5), [1, 4, 2, 2, 1])[0],
                meeting_time=w.rng.choice(TIMES),
                rhythm=Mentorship.Rhythm.WEEKLY,
                created_by=by,
            )
        )
    return made


def _dates(
    w: World, mentorship: Mentorship, away: list[tuple[datetime.date, datetime.date]]
) -> tuple[list[datetime.date], list[datetime.date]]:
    start, today = mentorship.start_date, w.today
    last = mentorship.end_date or datetime.date.max
    weekly = schedule_dates(
        start=start, weekday=mentorship.weekday, count=settings.MENTORING_WEEKS, away=away
    )
    weekly = [d for d in weekly if d <= last]
    monthly: list[datetime.date] = []
    series_start = start + relativedelta(months=6)
    if series_start <= min(last, today):
        mentorship.rhythm = Mentorship.Rhythm.MONTHLY
        months = (today.year - series_start.year) * 12 + today.month - series_start.month
        candidates = schedule_dates(
            start=series_start,
            weekday=mentorship.weekday,
            count=months + 2 * settings.MENTORING_MONTHLY_COUNT,
            away=away,
            taken=set(weekly),
            monthly=True,
        )
        past = [d for d in candidates if d < today and d <= last]
        ahead = [d for d in candidates if d >= today]
        monthly = past + ([] if mentorship.end_date else ahead[: settings.MENTORING_MONTHLY_COUNT])
    return weekly, monthly


def _checkins(
    w: World, mentorship: Mentorship, weekly: list[datetime.date], monthly: list[datetime.date]
) -> list[CheckIn]:
    rng, today = w.rng, w.today
    dates = sorted(weekly + monthly)
    past = [d for d in dates if d < today]
    unlogged = 0
    if mentorship.end_date is None and past and rng.random() < 0.35:
        unlogged = rng.randint(1, 2)
    by = w.user(mentorship.mentor)
    taken = set(dates)
    rows = []
    for index, day in enumerate(dates):
        row = CheckIn(
            mentorship=mentorship,
            date=day,
            time=mentorship.meeting_time,
            duration_minutes=settings.MENTORING_CHECKIN_MINUTES,
        )
        rows.append(row)
        if day >= today or index >= len(past) - unlogged:
            continue  # planned, or not logged yet
        moved = day + days(1)
        if rng.random() < 0.03 and moved < today and moved.weekday() < 5 and moved not in taken:
            row.moved_from, row.date = day, moved
            taken.add(moved)
        row.logged_by = by
        row.logged_at = aware(row.date, mentorship.meeting_time.hour + 1)
        if rng.random() < 0.08:
            row.status = CheckIn.Status.CANCELLED
            row.note = texts.CHECKIN_CANCELLED
            continue
        row.status = CheckIn.Status.HELD
        row.duration_minutes = rng.choice([30, 30, 45, 60])
        row.topics = rng.sample(TOPICS, rng.choice([1, 1, 2, 3]))
        if rng.random() < 0.3:
            row.note = rng.choice(texts.CHECKIN_NOTES)
    return rows


def _tasks(w: World, mentorship: Mentorship) -> list[MentorshipTask]:
    until = min(mentorship.end_date or w.today, w.today)
    rows = []
    for task in MentorTask.values:
        due = mentorship.start_date + days(TASK_DAYS[task])
        done = None
        if due < until and w.rng.random() < 0.85:
            done = min(due + days(w.rng.randint(0, 10)), until)
        rows.append(MentorshipTask(mentorship=mentorship, task=task, done_on=done))
    return rows
