"""The peer education, mandatory courses, erfa meetings and supervision.

Cohorts run every few months over the last three years (most completed, one running, the
next open for enrolment, one being planned); each has its seven modules on two teaching
days three weeks apart. Peer workers take the first cohort after they are hired, within
its seats (a full open cohort has a waiting list), as `education.services.enrol` allows.
"""

from __future__ import annotations

import datetime
import math
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from django.conf import settings

from education.models import (
    Audience,
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
    TopicProposal,
    local_datetime,
    next_weekday,
)
from education.services import series_dates
from peerprogram.models import PeerWorker, StaffMember

from . import texts
from .base import World, aware, bulk, days, employed_on, weekday_on_or_after

if TYPE_CHECKING:
    from django.contrib.auth.models import User

S = Cohort.Status


def build(w: World) -> None:
    cohorts = _cohorts(w)
    _enrolments(w, cohorts)
    _course_records(w)
    _erfa(w)
    _supervision(w)


def _starts(w: World) -> list[tuple[datetime.date, str]]:
    """Evenly from 33 to 3 months ago; then one open for enrolment and one being planned."""
    count, today = w.scale.cohorts, w.today
    future = [(today + relativedelta(months=3), S.OPEN)] if count >= 2 else []
    if count >= 4:
        future.append((today + relativedelta(months=8), S.PLANNING))
    past = count - len(future)
    first, last = today - relativedelta(months=33), today - relativedelta(months=3)
    step = (last - first) / max(past - 1, 1)
    starts = [(first + step * i if past > 1 else last, "") for i in range(past)]
    return [(weekday_on_or_after(day, 1), status) for day, status in starts + future]


def _cohorts(w: World) -> list[tuple[Cohort, list[CohortModule]]]:
    course = Course.objects.earliest("pk")
    modules = list(course.modules.order_by("number"))
    capacity = max(12, min(40, math.ceil(w.scale.peers / w.scale.cohorts) + 2))
    rows: list[Cohort] = []
    per_year: dict[int, int] = {}
    for index, (start, status) in enumerate(_starts(w)):
        per_year[start.year] = per_year.get(start.year, 0) + 1
        if not status:
            last_day = next_weekday(start + days(21 * (len(modules) - 1)))
            status = S.COMPLETED if last_day < w.today else S.RUNNING
        towns = texts.REGIONS[index % w.scale.regions][1]
        rows.append(
            Cohort(
                course=course,
                name=f"Hold {start.year}-{per_year[start.year]}",
                start_date=start,
                capacity=capacity,
                fee_dkk=settings.EDUCATION_FEE_DKK,
                status=status,
                default_place=f"{texts.CENTRE}, {towns[0]}",
            )
        )
    cohorts = bulk(Cohort, rows)
    sessions: list[CohortModule] = []
    for cohort in cohorts:
        for index, module in enumerate(modules):
            sessions.append(
                CohortModule(
                    cohort=cohort,
                    module=module,
                    first_day=cohort.start_date + days(21 * index),
                    place=cohort.default_place,
                )
            )
    bulk(CohortModule, sessions)
    size = len(modules)
    return [(c, sessions[i * size : (i + 1) * size]) for i, c in enumerate(cohorts)]


def _enrolments(w: World, cohorts: list[tuple[Cohort, list[CohortModule]]]) -> None:
    rng, today, now = w.rng, w.today, w.now
    seats = {c.pk: 0 for c, _ in cohorts}
    rows: list[Enrolment] = []
    sessions_of: dict[int, list[CohortModule]] = {}  # id(enrolment) -> its cohort's modules
    named = w.named["peer"]
    order = sorted(w.peers, key=lambda p: (p is not named, p.start_date))
    for peer in order:
        candidates = [(c, s) for c, s in cohorts if c.start_date >= peer.start_date + days(14)]
        # Best practice is to be hired three months before the cohort starts.
        timely = [
            cs for cs in candidates if cs[0].start_date >= peer.start_date + relativedelta(months=3)
        ]
        if timely and rng.random() < 0.7:
            candidates = timely
        for cohort, sessions in candidates:
            if cohort.status == S.PLANNING or (peer.end_date and peer.end_date < cohort.start_date):
                break
            full = seats[cohort.pk] >= cohort.capacity
            if full and cohort.status != S.OPEN:
                continue  # full: the next cohort
            asked = min(max(peer.start_date + days(14), cohort.start_date - days(90)), today)
            requested = min(aware(asked, 10), now)
            by = w.leader_user(peer.staff_member.unit_id)
            if cohort.status != S.OPEN and not full and rng.random() < 0.04:
                # Gave up this seat before the start, and took the next cohort instead.
                rows.append(
                    _enrolment(cohort, peer, by, Enrolment.Status.CANCELLED, requested, None)
                )
                rows[-1].cancelled_at = requested + days(10)
                continue
            status = Enrolment.Status.WAITING if full else Enrolment.Status.ENROLLED
            enrolment = _enrolment(cohort, peer, by, status, requested, None if full else requested)
            sessions_of[id(enrolment)] = sessions
            rows.append(enrolment)
            seats[cohort.pk] += not full
            break
    for cohort, sessions in cohorts:
        if cohort.status == S.PLANNING:
            continue
        for _ in range(min(rng.randint(1, 3), cohort.capacity - seats[cohort.pk])):
            town = rng.choice(texts.REGIONS[0][1])
            name = f"{rng.choice(texts.FIRST_NAMES)} {rng.choice(texts.LAST_NAMES)}"
            requested = min(aware(cohort.start_date - days(60), 11), now)
            external = Enrolment(
                cohort=cohort,
                external_name=name,
                external_organisation=f"{town} {rng.choice(texts.EXTERNAL_ORGANISATIONS)}",
                external_contact=f"kontakt{len(rows)}@kommune.example",
                status=Enrolment.Status.ENROLLED,
                requested_at=requested,
                seat_since=requested,
                enrolled_by=w.user(w.centre_staff[1]),
            )
            sessions_of[id(external)] = sessions
            rows.append(external)
            seats[cohort.pk] += 1
    bulk(Enrolment, rows)
    _attendance(w, [(e, sessions_of[id(e)]) for e in rows if e.status == Enrolment.Status.ENROLLED])


def _enrolment(
    cohort: Cohort,
    peer: PeerWorker,
    by: User,
    status: str,
    requested: datetime.datetime,
    seat_since: datetime.datetime | None,
) -> Enrolment:
    return Enrolment(
        cohort=cohort,
        peer=peer,
        paying_unit_id=peer.staff_member.unit_id,
        status=status,
        requested_at=requested,
        seat_since=seat_since,
        enrolled_by=by,
    )


def _attendance(w: World, enrolments: list[tuple[Enrolment, list[CohortModule]]]) -> None:
    rng, today = w.rng, w.today
    present: list[DayAttendance] = []
    mentors: set[tuple[CohortModule, StaffMember]] = set()
    marked: list[Enrolment] = []
    for enrolment, sessions in enrolments:
        peer = enrolment.peer
        last_day = peer.end_date if peer and peer.end_date else today - days(1)
        count = 0
        for session in sessions:
            for number, day in enumerate(session.days, 1):
                if day <= last_day and day < today and rng.random() < 0.96:
                    present.append(DayAttendance(enrolment=enrolment, session=session, day=number))
                    count += 1
        end = sessions[-1].days[-1]
        if peer is None or end >= today:
            continue
        if count == 2 * len(sessions):
            w.education_done[peer.pk] = end
        elif count == 2 * len(sessions) - 1 and rng.random() < 0.5:
            enrolment.completed_on = min(end + days(21), today)
            enrolment.completion_reason = texts.COMPLETION_REASON
            marked.append(enrolment)
            w.education_done[peer.pk] = enrolment.completed_on
        mentor = w.mentor_now.get(peer.pk)
        if mentor is not None and rng.random() < 0.3:
            mentors.update({(sessions[0], mentor), (sessions[4 % len(sessions)], mentor)})
    bulk(DayAttendance, present)
    Enrolment.objects.bulk_update(marked, ["completed_on", "completion_reason"])
    bulk(MentorModule, [MentorModule(session=s, mentor=m) for s, m in mentors])


def _course_records(w: World) -> None:
    rng, today = w.rng, w.today
    courses = list(MandatoryCourse.objects.filter(active=True))
    rows = []
    for peer in w.peers:
        enrolled = peer.start_date + days(14)
        if enrolled > today:
            continue
        until = min(peer.end_date or today, today)
        for course in courses:
            done = enrolled + days(rng.randint(7, 90))
            rows.append(
                CourseRecord(
                    peer=peer,
                    course=course,
                    enrolled_on=enrolled,
                    completed_on=done if done <= until and rng.random() < 0.92 else None,
                )
            )
    bulk(CourseRecord, rows)


def _erfa(w: World) -> None:
    """The peers' group meets monthly, the mentors' group quarterly: two years back and
    six months ahead, generated by a series as `education.services.series_create` does."""
    rng, today = w.rng, w.today
    facilitator = w.centre_staff[1]
    groups = {g.audience: g for g in ErfaGroup.objects.filter(audience__in=["peers", "mentors"])}
    for audience, group in groups.items():
        group.facilitator = facilitator
        group.online_link = f"https://teams.example/erfa-{audience}"
    ErfaGroup.objects.bulk_update(groups.values(), ["facilitator", "online_link"])
    rules = {
        Audience.PEERS: (1, 1, 2, datetime.time(13, 0), datetime.time(14, 30)),
        Audience.MENTORS: (3, 3, 1, datetime.time(14, 0), datetime.time(15, 0)),
    }
    series: list[MeetingSeries] = []
    meetings: list[Meeting] = []
    dated: list[tuple[Meeting, str, datetime.date]] = []  # each meeting's audience and day
    for audience, (interval, weekday, week, start, end) in rules.items():
        group = groups[audience]
        rule = MeetingSeries(
            group=group,
            frequency=MeetingSeries.Frequency.MONTHLY,
            interval=interval,
            weekday=weekday,
            week_of_month=week,
            start_time=start,
            end_time=end,
            first_date=w.years_ago(),
            last_date=today + relativedelta(months=6),
            created_by=w.user(facilitator),
        )
        series.append(rule)
        dates = series_dates(
            frequency=rule.frequency,
            interval=interval,
            weekday=weekday,
            week_of_month=week,
            first_date=rule.first_date,
            last_date=rule.last_date,
        )
        for index, day in enumerate(dates):
            meeting = Meeting(
                group=group,
                series=rule,
                series_date=day,
                kind=Meeting.Kind.INTERNAL,
                starts_at=local_datetime(day, start),
                ends_at=local_datetime(day, end),
                online_link=group.online_link,
                facilitator=facilitator,
            )
            if audience == Audience.PEERS and index % 2:
                meeting.kind = Meeting.Kind.EXTERNAL
                meeting.topic = texts.MEETING_TOPICS[(index // 2) % len(texts.MEETING_TOPICS)]
                meeting.speaker = texts.SPEAKER
            if day < today and rng.random() < 1 / 12:
                meeting.status = Meeting.Status.CANCELLED
                meeting.cancel_reason = texts.MEETING_CANCEL_REASON
            meetings.append(meeting)
            dated.append((meeting, audience, day))
    bulk(MeetingSeries, series)
    coming = [m for m, audience, day in dated if audience == Audience.PEERS and day >= today]
    chosen = coming[1] if len(coming) > 1 else None
    if chosen is not None:
        chosen.kind, chosen.topic = Meeting.Kind.EXTERNAL, texts.PROPOSALS[0][0]
    bulk(Meeting, meetings)
    _erfa_attendance(w, dated)
    _proposals(w, groups[Audience.PEERS], chosen)


def _erfa_attendance(w: World, meetings: list[tuple[Meeting, str, datetime.date]]) -> None:
    rng, today = w.rng, w.today
    rows: list[MeetingAttendance] = []
    for meeting, audience, day in meetings:
        if day >= today or meeting.status == Meeting.Status.CANCELLED:
            continue
        if audience == Audience.PEERS:
            people = [p.staff_member for p in w.peers if employed_on(p, day)]
            share = 0.55
        else:
            people = [
                mentor
                for mentor, spans in w.mentor_spans.items()
                if any(first <= day <= last for first, last in spans)
            ]
            share = 0.6
        rows += [
            MeetingAttendance(meeting=meeting, person=p) for p in people if rng.random() < share
        ]
    bulk(MeetingAttendance, rows)


def _proposals(w: World, group: ErfaGroup, chosen: Meeting | None) -> None:
    current = [p for p in w.peers if employed_on(p, w.today)]
    rows = []
    for index, (title, description) in enumerate(texts.PROPOSALS):
        proposal = TopicProposal(
            group=group,
            title=title,
            description=description,
            proposed_by=w.rng.choice(current).staff_member,
        )
        if index == 0 and chosen is not None:
            proposal.status, proposal.meeting = TopicProposal.Status.CHOSEN, chosen
        rows.append(proposal)
    bulk(TopicProposal, rows)


def _supervision(w: World) -> None:
    """Supervision for one peer worker or a few, a couple of times a month per 75 peers."""
    rng, today = w.rng, w.today
    per_month = max(1, w.scale.peers // 75)
    meetings, participants = [], []
    month = w.years_ago().replace(day=1)
    while month <= today + relativedelta(months=1):
        for _ in range(per_month):
            day = weekday_on_or_after(month + days(rng.randint(0, 24)), rng.randint(0, 4))
            group = [p for p in w.peers if employed_on(p, day)]
            if not group:
                continue
            start = aware(day, rng.choice([9, 10, 13]))
            meeting = Meeting(
                kind=Meeting.Kind.SUPERVISION,
                starts_at=start,
                ends_at=start + datetime.timedelta(minutes=90),
                supervisor=rng.choice(texts.SUPERVISORS),
                topic=rng.choice(texts.SUPERVISION_TOPICS),
                place="Centret, mødelokale 2",
                facilitator=rng.choice(w.centre_staff),
            )
            meetings.append(meeting)
            participants.append(rng.sample(group, min(len(group), rng.randint(1, 4))))
        month += relativedelta(months=1)
    bulk(Meeting, meetings)
    Through = Meeting.participants.through
    bulk(
        Through,
        [
            Through(meeting_id=m.pk, peerworker_id=p.pk)
            for m, peers in zip(meetings, participants, strict=True)
            for p in peers
        ],
    )
