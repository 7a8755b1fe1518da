"""Vacancies with hiring committees, applicants in every stage, and onboarding checklists.

As the recruitment services do it: a vacancy gets the standard checklist and the leader on
its committee when it is made (`vacancy_create`); hiring fills it and hands its checklist
to the new peer worker (`applicant_hire`); a peer worker registered without a vacancy gets
a checklist of their own (`onboarding_start_for_peer`). Applicants who were not hired are
anonymised once their vacancy ended APPLICANT_RETENTION_MONTHS ago, as the daily command
does.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone, translation
from django.utils.translation import gettext

from peerprogram.models import PeerWorker, Unit
from recruitment.models import (
    Anchor,
    Applicant,
    Assessment,
    ChecklistItem,
    ChecklistTemplateItem,
    CommitteeMember,
    Interview,
    Onboarding,
    ReferenceCheck,
    Responsible,
    StageChange,
    Vacancy,
)
from recruitment.services import (
    checklist_due_days_refresh,
    current_posting_template,
    posting_render,
)

from . import texts
from .base import World, aware, bulk, days, employed_on, slug
from .people import FORMS, HOURS

if TYPE_CHECKING:
    from django.contrib.auth.models import User

V = Vacancy.Status
ST = Applicant.Stage
PIPELINE: list[str] = [ST.RECEIVED, ST.PREQUALIFICATION, ST.INTERVIEW, ST.REFERENCES, ST.OFFER]
# The showcase vacancy in the named leader's unit: one applicant in each stage.
SHOWCASE = [
    (ST.RECEIVED, ST.RECEIVED),
    (ST.PREQUALIFICATION, ST.PREQUALIFICATION),
    (ST.INTERVIEW, ST.INTERVIEW),
    (ST.REFERENCES, ST.REFERENCES),
    (ST.OFFER, ST.OFFER),
    (ST.REJECTED, ST.INTERVIEW),
    (ST.WITHDRAWN, ST.PREQUALIFICATION),
]
SHARE: dict[str, float] = {V.FILLED: 1.0, V.CLOSED: 1.0, V.PUBLISHED: 0.6, V.CANCELLED: 0.4}


def build(w: World) -> None:
    posting = current_posting_template()
    vacancies, hired = _vacancies(w)
    with translation.override(settings.LANGUAGE_CODE):
        for vacancy in vacancies:
            vacancy.posting_text = posting_render(template=posting, vacancy=vacancy)
    bulk(Vacancy, vacancies)
    committees = _committees(w, vacancies)
    _checklists(w, vacancies, hired)
    _applicants(w, vacancies, hired, committees)


# Vacancies --------------------------------------------------------------------------


# The peer worker hired for each filled vacancy, by id() of the vacancy (made before its pk).
Hired = dict[int, PeerWorker]


def _vacancies(w: World) -> tuple[list[Vacancy], Hired]:
    rng, today = w.rng, w.today
    rows: list[Vacancy] = []
    hired: Hired = {}
    room = w.scale.applicants - len(SHOWCASE)  # each filled vacancy has its hired applicant
    for peer in w.peers:
        if len(rows) < room and peer.start_date >= w.years_ago() and rng.random() < 0.8:
            rows.append(_filled(w, peer))
            hired[id(rows[-1])] = peer
    # Every status at least once, the published one first in the named leader's unit.
    statuses = [V.PUBLISHED, V.DRAFT, V.CLOSED, V.CANCELLED]
    for index in range(max(len(statuses), w.scale.peers // 8)):
        unit = w.units[0] if index == 0 else rng.choice(w.units)
        if index < len(statuses):
            status = statuses[index]
        else:
            status = rng.choices(statuses, [40, 15, 25, 20])[0]
        rows.append(_open(w, unit, status, today))
    return rows, hired


def _vacancy(w: World, unit: Unit, **fields: Any) -> Vacancy:
    return Vacancy(
        unit=unit,
        title=f"Peermedarbejder til {unit.name}",
        contact_person=w.leader[unit.pk],
        created_by=w.leader_user(unit.pk),
        **fields,
    )


def _filled(w: World, peer: PeerWorker) -> Vacancy:
    rng, start = w.rng, peer.start_date
    deadline = start - days(rng.randint(35, 60))
    published = deadline - days(rng.randint(14, 28))
    return _vacancy(
        w,
        peer.staff_member.unit,
        hours_per_week=peer.hours_per_week,
        employment_form=peer.employment_form,
        planned_start_date=start,
        application_deadline=deadline,
        status=V.FILLED,
        created_at=aware(published - days(rng.randint(2, 10)), 9),
        published_on=published,
        closed_on=deadline + days(1),
        filled_on=min(deadline + days(rng.randint(7, 20)), start - days(7), w.today),
    )


def _open(w: World, unit: Unit, status: str, today: datetime.date) -> Vacancy:
    rng = w.rng
    published: datetime.date | None = None
    closed: datetime.date | None = None
    cancelled: datetime.date | None = None
    if status == V.DRAFT:
        created = today - days(rng.randint(1, 20))
        deadline = today + days(rng.randint(14, 40))
    elif status == V.PUBLISHED:
        published = today - days(rng.randint(1, 25))
        created = published - days(rng.randint(2, 10))
        deadline = today + days(rng.randint(3, 30))
    elif status == V.CLOSED:
        deadline = today - days(rng.randint(3, 40))
        published = deadline - days(rng.randint(14, 28))
        created = published - days(rng.randint(2, 10))
        closed = deadline + days(1)
    else:
        created = w.date_between(w.years_ago(), today - days(60))
        deadline = created + days(rng.randint(20, 40))
        published = created + days(rng.randint(2, 6)) if rng.random() < 0.7 else None
        cancelled = min((published or created) + days(rng.randint(3, 40)), today)
    start = max(deadline + days(rng.randint(30, 75)), today + days(7))
    return _vacancy(
        w,
        unit,
        hours_per_week=HOURS.pick(w.rng),
        employment_form=FORMS.pick(w.rng),
        planned_start_date=start if status != V.CANCELLED else deadline + days(45),
        application_deadline=deadline,
        status=status,
        created_at=aware(created, 9),
        published_on=published,
        closed_on=closed,
        cancelled_on=cancelled,
    )


def _committees(w: World, vacancies: list[Vacancy]) -> dict[int, list[CommitteeMember]]:
    """The leader on every committee; a staff representative (often the coming mentor),
    Centre staff and a peer worker from another unit once the vacancy is published."""
    rng = w.rng
    committees: dict[int, list[CommitteeMember]] = {}
    for vacancy in vacancies:
        unit_id, added = vacancy.unit_id, timezone.localdate(vacancy.created_at)
        seats = [(w.leader[unit_id], CommitteeMember.Seat.LEADER)]
        if vacancy.status != V.DRAFT or rng.random() < 0.5:
            seats.append((rng.choice(w.mentors[unit_id]), CommitteeMember.Seat.STAFF_REP))
        if vacancy.status != V.DRAFT:
            seats.append((rng.choice(w.centre_staff), CommitteeMember.Seat.CENTRE))
            for _ in range(20):
                other = rng.choice(w.peers)
                if other.staff_member.unit_id != unit_id and employed_on(other, added):
                    seats.append((other.staff_member, CommitteeMember.Seat.PEER))
                    break
        committees[vacancy.pk] = [
            CommitteeMember(vacancy=vacancy, staff_member=member, seat=seat, added_on=added)
            for member, seat in seats
        ]
    bulk(CommitteeMember, [m for members in committees.values() for m in members])
    return committees


# Checklists -------------------------------------------------------------------------


def _checklists(w: World, vacancies: list[Vacancy], hired_for: Hired) -> None:
    templates = list(ChecklistTemplateItem.objects.filter(active=True))
    onboardings = [
        Onboarding(unit_id=v.unit_id, vacancy=v, peer=hired_for.get(id(v)), created_at=v.created_at)
        for v in vacancies
    ]
    hired = {p.pk for p in hired_for.values()}
    onboardings += [
        Onboarding(
            unit_id=p.staff_member.unit_id,
            peer=p,
            created_at=aware(p.start_date - days(90), 9),
        )
        for p in w.peers
        if p.pk not in hired
    ]
    bulk(Onboarding, onboardings)
    items: list[ChecklistItem] = []
    for onboarding in onboardings:
        items += _items(w, onboarding, templates)
    bulk(ChecklistItem, items)
    checklist_due_days_refresh(onboardings=Onboarding.objects.all())


def _items(
    w: World, onboarding: Onboarding, templates: list[ChecklistTemplateItem]
) -> list[ChecklistItem]:
    """The standard items; the ticked-by-hand ones mostly done once their date has passed."""
    rng, today = w.rng, w.today
    peer, vacancy = onboarding.peer, onboarding.vacancy
    until = today
    if vacancy is not None and vacancy.cancelled_on:
        until = vacancy.cancelled_on
    if peer is not None and peer.end_date:
        until = min(until, peer.end_date)
    started = timezone.localdate(onboarding.created_at)
    unit_id = onboarding.unit_id
    rows: list[ChecklistItem] = []
    for t in templates:
        item = ChecklistItem.from_template(onboarding, t)
        rows.append(item)
        if t.derived_from:
            continue  # a fact read from another app, never ticked
        if t.anchor == Anchor.EDUCATION_COMPLETED:
            completed = w.education_done.get(peer.pk) if peer else None
            if completed is None:
                continue
            due = completed + days(t.offset_days)
        else:
            due = onboarding.due_for(t.anchor, t.offset_days)
        chance = 0.92 if due < until - days(20) else 0.5 if due < until else 0.05
        if rng.random() >= chance:
            continue
        item.done_on = min(max(due + days(rng.randint(-7, 7)), started), until)
        item.done_by = _responsible_user(w, t.responsible, unit_id, peer)
    return rows


def _responsible_user(
    w: World, responsible: str, unit_id: int, peer: PeerWorker | None
) -> User | None:
    if responsible == Responsible.CENTRE:
        return w.user(w.rng.choice(w.centre_staff))
    if responsible == Responsible.MENTOR and peer is not None and peer.pk in w.mentor_now:
        return w.user(w.mentor_now[peer.pk])
    if responsible == Responsible.PEER and peer is not None:
        return w.user(peer.staff_member)
    return w.leader_user(unit_id)


# Applicants -------------------------------------------------------------------------


def _shares(w: World, vacancies: list[Vacancy], hired: Hired) -> dict[int, list[tuple[str, str]]]:
    """(stage now, furthest step of the pipeline) for every applicant of every vacancy."""
    rng = w.rng
    takers = [v for v in vacancies if v.status in SHARE and (v.published_on or id(v) in hired)]
    plans: dict[int, list[tuple[str, str]]] = {v.pk: [] for v in takers}
    showcase = next(v for v in vacancies if v.status == V.PUBLISHED)
    plans[showcase.pk] += SHOWCASE
    for vacancy in takers:
        if id(vacancy) in hired:
            plans[vacancy.pk].append((ST.HIRED, ST.OFFER))
    rest = w.scale.applicants - sum(len(p) for p in plans.values())
    extra = Counter(v.pk for v in rng.choices(takers, [SHARE[v.status] for v in takers], k=rest))
    for vacancy in takers:
        offers = 0
        for _ in range(extra[vacancy.pk]):
            stage, reached = _stage(w, vacancy.status, offers)
            offers += stage == ST.OFFER
            plans[vacancy.pk].append((stage, reached))
    return plans


def _stage(w: World, status: str, offers: int) -> tuple[str, str]:
    rng = w.rng
    early = [ST.RECEIVED, ST.PREQUALIFICATION]
    if status == V.FILLED:
        reached = rng.choices(PIPELINE[:4], [45, 30, 20, 5])[0]
        return rng.choices([ST.REJECTED, ST.WITHDRAWN], [80, 20])[0], reached
    if status == V.CANCELLED:
        return rng.choice([ST.REJECTED, ST.WITHDRAWN]), rng.choice(early)
    if status == V.PUBLISHED:
        stages = [ST.RECEIVED, ST.PREQUALIFICATION, ST.INTERVIEW, ST.REJECTED, ST.WITHDRAWN]
        stage = rng.choices(stages, [55, 25, 10, 7, 3])[0]
    else:
        stages = [ST.PREQUALIFICATION, ST.INTERVIEW, ST.REFERENCES, ST.OFFER]
        stage = rng.choices([*stages, ST.REJECTED, ST.WITHDRAWN], [5, 25, 12, 3, 45, 10])[0]
        if stage == ST.OFFER and offers:
            stage = ST.REFERENCES
    if stage in (ST.REJECTED, ST.WITHDRAWN):
        return stage, rng.choices([*early, ST.INTERVIEW], [40, 35, 25])[0]
    return stage, stage


# An applicant's steps: (stage, the day they reached it).
Steps = list[tuple[str, datetime.date]]


def _applicants(
    w: World,
    vacancies: list[Vacancy],
    hired: Hired,
    committees: dict[int, list[CommitteeMember]],
) -> None:
    today = w.today
    retention = today - relativedelta(months=settings.APPLICANT_RETENTION_MONTHS)
    with translation.override(settings.LANGUAGE_CODE):
        anonymous = gettext("Anonymised applicant #%(pk)s").split("%(pk)s")
    by_pk = {v.pk: v for v in vacancies}
    applicants: list[Applicant] = []
    steps_of: list[Steps] = []
    for pk, plans in _shares(w, vacancies, hired).items():
        vacancy = by_pk[pk]
        gone = vacancy.ended_on is not None and vacancy.ended_on <= retention
        for stage, reached in plans:
            applicant, steps = _applicant(
                w, vacancy, stage, reached, len(applicants), hired.get(id(vacancy))
            )
            if gone and vacancy.ended_on is not None and stage != ST.HIRED:
                _anonymise(applicant, anonymous[0], vacancy.ended_on, today)
            applicants.append(applicant)
            steps_of.append(steps)
    bulk(Applicant, applicants)
    changes: list[StageChange] = []
    interviews: list[Interview] = []
    references: list[ReferenceCheck] = []
    for applicant, steps in zip(applicants, steps_of, strict=True):
        vacancy = by_pk[applicant.vacancy_id]
        by = w.leader_user(vacancy.unit_id)
        before = ""
        for hour, (stage, day) in enumerate(steps):
            changes.append(
                StageChange(
                    applicant=applicant,
                    from_stage=before,
                    to_stage=stage,
                    at=min(aware(day, 9 + hour), w.now),
                    by=by,
                )
            )
            before = stage
            if stage == ST.INTERVIEW:
                interviews.append(_interview(w, applicant, vacancy, steps, day))
            elif stage == ST.REFERENCES:
                references += _references(w, applicant, by, day)
    bulk(StageChange, changes)
    bulk(Interview, interviews)
    bulk(ReferenceCheck, references)
    _present_and_assessed(w, interviews, committees)
    # The retention command names them by their number, which exists only now.
    Applicant.objects.filter(anonymised_on__isnull=False).update(
        name=Concat(
            Value(anonymous[0]),
            Cast("pk", CharField()),
            Value(anonymous[1]),
            output_field=CharField(),
        )
    )


def _applicant(
    w: World,
    vacancy: Vacancy,
    stage: str,
    reached: str,
    number: int,
    hired: PeerWorker | None,
) -> tuple[Applicant, Steps]:
    """An applicant and the dated steps they took (received, …, the stage now)."""
    rng, today = w.rng, w.today
    cap = vacancy.filled_on or vacancy.cancelled_on or today
    opened = vacancy.published_on or timezone.localdate(vacancy.created_at)
    received = w.date_between(opened, min(vacancy.application_deadline, today, cap))
    path = PIPELINE[: PIPELINE.index(reached) + 1]
    if stage not in path:
        path.append(stage)
    day = received
    steps: Steps = []
    for step in path:
        if steps:
            day = min(day + days(rng.randint(2, 8)), cap)
        if step == ST.HIRED and vacancy.filled_on is not None:
            day = vacancy.filled_on
        steps.append((step, day))
    first, last = rng.choice(texts.FIRST_NAMES), rng.choice(texts.LAST_NAMES)
    applicant = Applicant(
        vacancy=vacancy,
        name=f"{first} {last}",
        email=f"{slug(first)}.{slug(last)}{number}@{texts.APPLICANT_DOMAIN}",
        phone=" ".join(str(rng.randint(10, 99)) for _ in range(4)),
        received_on=received,
        stage=stage,
    )
    if stage == ST.HIRED and hired is not None:
        member = hired.staff_member
        applicant.name, applicant.email, applicant.phone = member.name, member.email, member.phone
        applicant.hired_peer = hired
    if ST.PREQUALIFICATION in path:
        applicant.motivation = rng.choice(texts.APPLICANT_MOTIVATION)
        applicant.recovery = rng.choice(texts.APPLICANT_RECOVERY)
        applicant.robustness = rng.choice(texts.APPLICANT_ROBUSTNESS)
        applicant.readiness = rng.choice(texts.APPLICANT_READINESS)
    if stage == ST.REJECTED:
        applicant.decision_reason = rng.choice(texts.REJECT_REASONS)
    if stage in (ST.REJECTED, ST.HIRED, ST.OFFER):
        applicant.answer_given_on = steps[-1][1]
    return applicant, steps


def _anonymise(applicant: Applicant, name: str, ended: datetime.date, today: datetime.date) -> None:
    applicant.name = name
    applicant.email = applicant.phone = ""
    for field in ("motivation", "recovery", "robustness", "readiness", "decision_reason"):
        setattr(applicant, field, "")
    applicant.anonymised_on = min(
        ended + relativedelta(months=settings.APPLICANT_RETENTION_MONTHS) + days(1), today
    )


def _interview(
    w: World, applicant: Applicant, vacancy: Vacancy, steps: Steps, day: datetime.date
) -> Interview:
    """Held a few days after it was scheduled; a current one may lie ahead."""
    rng = w.rng
    later = steps[-1][0] != ST.INTERVIEW
    held = day + days(rng.randint(1, 5))
    if later:
        position = [s for s, _ in steps].index(ST.INTERVIEW)
        held = min(held, steps[position + 1][1])
    interview = Interview(applicant=applicant, starts_at=aware(held, rng.randint(9, 14)))
    if applicant.anonymised_on:
        interview.place = "–"
    elif rng.random() < 0.3:
        interview.video_link = f"https://teams.example/samtale-{rng.randint(1000, 9999)}"
    else:
        interview.place = f"Mødelokale {rng.randint(1, 4)}, {vacancy.unit.name}"
    return interview


def _references(
    w: World, applicant: Applicant, by: User, day: datetime.date
) -> list[ReferenceCheck]:
    rows: list[ReferenceCheck] = []
    for referee, summary in w.rng.sample(texts.REFEREES, w.rng.randint(1, 2)):
        if applicant.anonymised_on:
            referee, summary = "–", ""
        rows.append(
            ReferenceCheck(
                applicant=applicant, referee=referee, checked_on=day, checked_by=by, summary=summary
            )
        )
    return rows


def _present_and_assessed(
    w: World, interviews: list[Interview], committees: dict[int, list[CommitteeMember]]
) -> None:
    rng, now = w.rng, w.now
    Present = Interview.present.through
    present: list[Any] = []
    assessments: list[Assessment] = []
    for interview in interviews:
        applicant = interview.applicant
        for member in committees[applicant.vacancy_id]:
            present.append(Present(interview_id=interview.pk, committeemember_id=member.pk))
            if interview.starts_at >= now or rng.random() > 0.6:
                continue
            reflection, recommendation = rng.choice(texts.ASSESSMENTS)
            if applicant.stage == ST.HIRED:
                reflection, recommendation = texts.ASSESSMENTS[0]
            text = "" if applicant.anonymised_on else "God fornemmelse for egne grænser."
            assessments.append(
                Assessment(
                    interview=interview,
                    member=member,
                    recovery_reflection="" if applicant.anonymised_on else reflection,
                    assessment=text,
                    recommendation=recommendation,
                )
            )
    bulk(Present, present)
    bulk(Assessment, assessments)
