"""A whole programme of a chosen size, made quickly, for benchmarks and load tests.

`seed(REGION)` fills an empty database the way a region looks after two years: units with
leaders and staff, peer workers with checklists and mentors, vacancies and applicants,
cohorts and erfa meetings, patients with CHIME notes. It replicates the services' rules in
bulk (bulk inserts, one password hash, no per-row saves) and is deterministic: the same
scale, seed and date give the same programme.

Logins, all with the password `demo`: `admin`; `center` (Centre staff), `leder`, `mentor`
and `peer` (one unit's leader, a mentor and the peer worker they mentor); the numbered
`leder-1`, `peer-1`, `mentor-1`, `center-1`, … for load tests, each with what its role
needs; every other staff member logs in with the part of their e-mail address before "@".
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from . import courses, hiring, mentorships, notes, people
from .base import World

LOGIN_PASSWORD = "demo"  # noqa: S105 - the documented password of the fictional logins


@dataclass(frozen=True)
class Scale:
    """The sizes of a generated programme. `staff` counts staff members other than peer
    workers, the Centre's own staff included; `units` includes the Centre."""

    name: str
    units: int
    peers: int
    staff: int
    cohorts: int
    applicants: int
    patients: int
    notes: int
    regions: int = 1
    centre_staff: int = 8
    leader_logins: int = 50
    peer_logins: int = 50
    mentor_logins: int = 20
    centre_logins: int = 5
    # Patients on a peer worker login's caseload, the same at every scale (a caseload does
    # not grow with the programme: the benchmark compares a peer worker's pages across
    # scales); the other peer workers' caseloads are drawn at random.
    login_caseload: int = 20
    years: int = 2

    def __post_init__(self) -> None:
        units = self.units - 1  # without the Centre
        rules = [
            (units >= 1, "at least one unit besides the Centre"),
            (self.peers >= units, "a peer worker in every unit"),
            (self.centre_staff >= self.centre_logins + 2, "Centre staff for every Centre login"),
            (
                self.staff >= self.centre_staff + 2 * units,
                "a leader and a mentor in every unit",
            ),
            (
                units > max(self.leader_logins, self.peer_logins, self.mentor_logins),
                "a unit per login",
            ),
            (
                self.login_caseload >= 3
                and self.patients >= self.login_caseload * (self.peer_logins + 1),
                "a caseload for every peer login",
            ),
            (self.notes >= self.patients, "at least as many notes as patients"),
            (self.applicants >= 7, "applicants in every stage"),
            (self.cohorts >= 1, "at least one cohort"),
            (1 <= self.regions <= 5, "one to five regions"),
        ]
        problems = [message for ok, message in rules if not ok]
        if problems:
            raise ValueError(f"Scale {self.name!r} cannot hold " + "; ".join(problems) + ".")


REGION = Scale(
    name="region",
    units=60,
    peers=150,
    staff=400,
    cohorts=6,
    applicants=2_000,
    patients=3_000,
    notes=50_000,
)
NATION = Scale(
    name="nation",
    units=600,
    peers=1_500,
    staff=4_000,
    cohorts=30,
    applicants=20_000,
    patients=30_000,
    notes=500_000,
    regions=5,
    centre_staff=25,
)
SCALES = {"region": REGION, "nation": NATION}

# The apps whose rows are counted after seeding (with the logins).
APPS = ["peerprogram", "recruitment", "mentoring", "education", "journal"]


def seed(
    scale: Scale, *, today: datetime.date | None = None, random_seed: int = 2026
) -> dict[str, int]:
    """Fill an empty database with a programme of this scale; returns rows per model."""
    today = today or timezone.localdate()
    with transaction.atomic():
        world = World(
            scale=scale,
            rng=random.Random(random_seed),  # noqa: S311 - reproducible test data
            today=today,
            password=make_password(LOGIN_PASSWORD),
        )
        people.build(world)
        mentorships.build(world)
        courses.build(world)
        hiring.build(world)
        notes.build(world)
    return row_counts()


def row_counts() -> dict[str, int]:
    models: list[type[Model]] = [get_user_model()]
    for label in APPS:
        models += list(apps.get_app_config(label).get_models())
    return {m._meta.label: m._default_manager.count() for m in models}
