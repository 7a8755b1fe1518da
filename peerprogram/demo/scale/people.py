"""Units, staff, peer workers and their logins.

Every unit besides the Centre has an active leader (not a peer worker), at least one
colleague who mentors, and a steady peer worker (its "anchor") who has worked there for
months; the named and numbered logins are given to those, so every login of a role has
what its role needs.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model

from education import services as education_services
from peerprogram.models import PeerWorker, StaffMember, Unit
from recruitment import services as recruitment_services

from . import texts
from .base import Weighted, World, bulk, days, slug

P = StaffMember.Profession
K = Unit.Kind

# Every kind is present; after the first five, units follow these weights.
FIRST_KINDS = [K.FACT, K.INPATIENT, K.OUTPATIENT, K.MUNICIPAL, K.OTHER]
KIND_WEIGHTS = Weighted(
    {K.FACT: 35, K.OUTPATIENT: 25, K.INPATIENT: 20, K.MUNICIPAL: 15, K.OTHER: 5}
)
# How much staff (and how many peer workers) a unit of each kind has, relatively.
KIND_SIZE: dict[str, float] = {
    K.FACT: 1.5,
    K.OUTPATIENT: 1.2,
    K.INPATIENT: 2.0,
    K.MUNICIPAL: 0.8,
    K.OTHER: 0.5,
}
LEADER_PROFESSIONS = [P.NURSE, P.PSYCHOLOGIST, P.DOCTOR, P.SOCIAL_WORKER, P.OT]
COLLEAGUE_PROFESSIONS = Weighted(
    {
        P.NURSE: 35,
        P.SOSU: 20,
        P.PSYCHOLOGIST: 12,
        P.DOCTOR: 8,
        P.OT: 8,
        P.SOCIAL_WORKER: 12,
        P.OTHER: 5,
    }
)
HOURS = Weighted({15: 1, 18: 1, 20: 4, 22: 2, 24: 3, 25: 3, 28: 2, 30: 4, 32: 1, 37: 2})
FORMS = Weighted(
    {
        PeerWorker.EmploymentForm.PERMANENT: 80,
        PeerWorker.EmploymentForm.FLEX_JOB: 10,
        PeerWorker.EmploymentForm.FEE_PAID: 7,
        PeerWorker.EmploymentForm.VOLUNTEER: 3,
    }
)


def build(w: World) -> None:
    education_services.standard_data_ensure()
    recruitment_services.standard_templates_ensure()
    User = get_user_model()
    w.admin = bulk(
        User,
        [
            User(
                username="admin",
                email=f"admin@{texts.DOMAIN}",
                is_staff=True,
                is_superuser=True,
                password=w.password,
            )
        ],
    )[0]
    _units(w)
    plans = _staff_plans(w)
    by_plan = _logins_and_staff(w, plans)
    _peers(w, plans, by_plan)


def _units(w: World) -> None:
    s = w.scale
    region_org = texts.REGIONS[0][0]
    rows = [Unit(name=texts.CENTRE, kind=K.OTHER, organisation=region_org)]
    taken = {texts.CENTRE.lower()}
    for index in range(s.units - 1):
        organisation, towns = texts.REGIONS[index % s.regions]
        kind = FIRST_KINDS[index] if index < len(FIRST_KINDS) else KIND_WEIGHTS.pick(w.rng)
        town = w.rng.choice(towns)
        name = _unique(_unit_name(w, kind, town), taken)
        if kind == K.MUNICIPAL:
            organisation = f"{town} Kommune (fiktiv)"
        rows.append(Unit(name=name, kind=kind, organisation=organisation))
    made = bulk(Unit, rows)
    w.centre, w.units = made[0], made[1:]


def _unit_name(w: World, kind: str, town: str) -> str:
    if kind == K.FACT:
        return f"F-ACT {town}"
    if kind == K.OUTPATIENT:
        return f"Psykiatrisk ambulatorium {town}"
    if kind == K.INPATIENT:
        return f"Sengeafsnit {w.rng.choice('SPEA')}{w.rng.randint(1, 9)}, Psykiatrien {town}"
    if kind == K.MUNICIPAL:
        return f"Socialpsykiatrien, {town} Kommune"
    return f"Recovery-café {town}"


def _unique(base: str, taken: set[str]) -> str:
    for number in range(1, 1000):
        for quarter in texts.QUARTERS:
            name = base + quarter + (f" {number}" if number > 1 else "")
            if name.lower() not in taken:
                taken.add(name.lower())
                return name
    raise ValueError(base)


class Plan:
    """One person to be made: a staff member (maybe a peer worker) and their login."""

    __slots__ = (
        "name", "email", "phone", "unit", "profession", "centre", "active", "login",
        "start", "end",
    )  # fmt: skip

    def __init__(self, w: World, number: int, unit: Unit, profession: str, **extra: Any) -> None:
        first, last = w.rng.choice(texts.FIRST_NAMES), w.rng.choice(texts.LAST_NAMES)
        self.name = f"{first} {last}"
        self.email = f"{slug(first)}.{slug(last)}{number}@{texts.DOMAIN}"
        self.phone = " ".join(str(w.rng.randint(10, 99)) for _ in range(4))
        self.unit = unit
        self.profession = profession
        self.centre = extra.get("centre", False)
        self.active = extra.get("active", True)
        self.login = extra.get("login", "")
        self.start: datetime.date | None = None
        self.end: datetime.date | None = None


def _share(w: World, total: int, base: int) -> Counter[int]:
    """How many of `total` each unit gets: `base` each, the rest by the kind's size."""
    counts = Counter({u.pk: base for u in w.units})
    rest = total - base * len(w.units)
    weights = [KIND_SIZE[u.kind] for u in w.units]
    counts.update(u.pk for u in w.rng.choices(w.units, weights, k=rest))
    return counts


def _staff_plans(w: World) -> dict[str, list[Plan]]:
    s = w.scale
    number = iter(range(1, 10**9))
    centre: list[Plan] = []
    for index in range(s.centre_staff):
        login = ""
        if index == 1:
            login = "center"
        elif 2 <= index < 2 + s.centre_logins:
            login = f"center-{index - 1}"
        profession = P.PSYCHOLOGIST if index % 4 == 3 else P.OTHER
        centre.append(Plan(w, next(number), w.centre, profession, centre=True, login=login))

    staff_counts = _share(w, s.staff - s.centre_staff, 2)
    peer_counts = _share(w, s.peers, 1)
    leaders: list[Plan] = []
    colleagues: list[Plan] = []
    peers: list[Plan] = []
    for position, unit in enumerate(w.units):
        numbered = position  # unit 0 holds the named logins, unit n the n-th numbered ones
        leaders.append(
            Plan(
                w,
                next(number),
                unit,
                w.rng.choice(LEADER_PROFESSIONS),
                login=_login("leder", numbered, s.leader_logins),
            )
        )
        for index in range(staff_counts[unit.pk] - 1):
            login = _login("mentor", numbered, s.mentor_logins) if index == 0 else ""
            # The first colleague mentors and stays; a few of the others have left.
            active = index == 0 or w.rng.random() > 0.04
            profession = P.NURSE if index == 0 else COLLEAGUE_PROFESSIONS.pick(w.rng)
            colleagues.append(Plan(w, next(number), unit, profession, active=active, login=login))
        for index in range(peer_counts[unit.pk]):
            login = _login("peer", numbered, s.peer_logins) if index == 0 else ""
            plan = Plan(w, next(number), unit, P.PEER, login=login)
            _employment(w, plan, anchor=index == 0)
            peers.append(plan)
    return {"centre": centre, "leaders": leaders, "colleagues": colleagues, "peers": peers}


def _employment(w: World, plan: Plan, *, anchor: bool) -> None:
    """Start dates over the last three years; a few have left, a few start next month.
    A unit's anchor has worked there for at least four months and stays."""
    today = w.today
    oldest = today - relativedelta(months=36)
    if plan.login == "peer":
        start = (today - relativedelta(months=20)).replace(day=1)
    elif anchor:
        start = w.date_between(oldest, today - days(120))
    elif w.rng.random() < 0.04:
        start = today + relativedelta(months=1, day=1)
    else:
        start = w.date_between(oldest, today - days(14))
        if start < today - relativedelta(months=8) and w.rng.random() < 0.08:
            plan.end = w.date_between(start + relativedelta(months=4), today - days(7))
            plan.active = False
    plan.start = start


def _login(role: str, position: int, count: int) -> str:
    if position == 0:
        return role
    return f"{role}-{position}" if position <= count else ""


def _logins_and_staff(w: World, plans: dict[str, list[Plan]]) -> dict[int, StaffMember]:
    User = get_user_model()
    everyone = [plan for group in plans.values() for plan in group]
    users = bulk(
        User,
        [
            User(
                username=plan.login or plan.email.split("@")[0],
                email=plan.email,
                first_name=plan.name.split(" ")[0],
                last_name=plan.name.split(" ", 1)[1],
                password=w.password,
                is_active=plan.active,
            )
            for plan in everyone
        ],
    )
    members = bulk(
        StaffMember,
        [
            StaffMember(
                name=plan.name,
                email=plan.email,
                phone=plan.phone,
                unit=plan.unit,
                profession=plan.profession,
                is_centre_staff=plan.centre,
                active=plan.active,
                user=user,
            )
            for plan, user in zip(everyone, users, strict=True)
        ],
    )
    by_plan = dict(zip(map(id, everyone), members, strict=True))
    for member, user in zip(members, users, strict=True):
        w.user_of[member.pk] = user
        if user.username in ("center", "leder", "mentor"):
            w.named[user.username] = member

    w.centre_staff = [by_plan[id(plan)] for plan in plans["centre"]]
    w.centre.leader = w.centre_staff[0]
    for plan in plans["leaders"]:
        member = by_plan[id(plan)]
        w.leader[member.unit_id] = member
        plan.unit.leader = member
    Unit.objects.bulk_update([w.centre, *w.units], ["leader"])
    for plan in plans["colleagues"]:
        member = by_plan[id(plan)]
        if member.active:
            w.colleagues.setdefault(member.unit_id, []).append(member)
    for unit in w.units:
        w.mentors[unit.pk] = w.colleagues[unit.pk][:1]
    return by_plan


def _peers(w: World, plans: dict[str, list[Plan]], by_plan: dict[int, StaffMember]) -> None:
    rows = []
    for plan in plans["peers"]:
        member = by_plan[id(plan)]
        if plan.start is None:
            raise ValueError("A peer worker's plan has a start date (_employment).")
        peer = PeerWorker(
            staff_member=member,
            start_date=plan.start,
            hours_per_week=HOURS.pick(w.rng),
            employment_form=FORMS.pick(w.rng),
            probation_months=6 if w.rng.random() < 0.1 else 3,
            end_date=plan.end,
        )
        rows.append(peer)
        if member.unit_id not in w.anchors:
            w.anchors[member.unit_id] = peer
    w.peers = bulk(PeerWorker, rows)
    for peer in w.peers:
        w.peers_by_unit[peer.staff_member.unit_id].append(peer)
    # A unit with many peer workers has a second mentor.
    for unit in w.units:
        if len(w.peers_by_unit[unit.pk]) >= 3 and len(w.colleagues[unit.pk]) >= 3:
            w.mentors[unit.pk].append(w.colleagues[unit.pk][1])
    by_login = {w.user_of[p.staff_member_id].username: p for p in w.anchors.values()}
    w.named["peer"] = by_login["peer"]
    w.login_peers = [p for name, p in by_login.items() if name == "peer" or name[:5] == "peer-"]
