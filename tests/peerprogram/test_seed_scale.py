"""seed_scale: a whole programme of region or nation size, made with bulk inserts.

The tests run the same generator at a tiny scale; the two real scales are checked by
their definitions only (they take minutes).
"""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from education.models import Cohort
from journal.models import Note, Patient
from mentoring.models import CheckIn
from peerprogram.demo import scale
from peerprogram.demo.scale import NATION, REGION, Scale
from peerprogram.models import PeerWorker, StaffMember, Unit
from recruitment.models import Applicant, Assessment, Vacancy

from ..factories import UnitFactory

pytestmark = pytest.mark.django_db

TINY = Scale(
    name="tiny",
    units=6,
    peers=12,
    staff=20,
    cohorts=2,
    applicants=30,
    patients=40,
    notes=400,
    centre_staff=4,
    leader_logins=3,
    peer_logins=3,
    mentor_logins=2,
    centre_logins=2,
    login_caseload=3,
)
# A bigger one, for what a tiny programme may lack (a cohort being planned, old vacancies).
SMALL = Scale(
    name="small",
    units=12,
    peers=30,
    staff=80,
    cohorts=4,
    applicants=400,
    patients=600,
    notes=10_000,
    leader_logins=10,
    peer_logins=10,
    mentor_logins=5,
)
A_DAY = datetime.date(2025, 3, 14)


def _exact_sizes():
    return {
        "units": Unit.objects.count(),
        "staff": StaffMember.objects.exclude(profession=StaffMember.Profession.PEER).count(),
        "peers": PeerWorker.objects.count(),
        "cohorts": Cohort.objects.count(),
        "applicants": Applicant.objects.count(),
        "patients": Patient.objects.count(),
        "notes": Note.objects.count(),
    }


def test_region_and_nation_hold_the_agreed_sizes():
    sizes = ["units", "peers", "staff", "cohorts", "applicants", "patients", "notes"]
    assert [getattr(REGION, s) for s in sizes] == [60, 150, 400, 6, 2_000, 3_000, 50_000]
    assert [getattr(NATION, s) for s in sizes] == [600, 1_500, 4_000, 30, 20_000, 30_000, 500_000]
    assert scale.SCALES == {"region": REGION, "nation": NATION}
    for definition in (REGION, NATION):
        assert definition.years == 2
        assert definition.peer_logins >= 50
        assert definition.leader_logins >= 50
        assert definition.mentor_logins >= 20
        assert definition.centre_logins >= 5


def test_a_scale_that_cannot_hold_its_logins_is_refused_with_the_reason():
    with pytest.raises(ValueError) as refused:
        Scale(
            name="odd",
            units=3,
            peers=2,
            staff=10,
            cohorts=1,
            applicants=10,
            patients=200,
            notes=400,
        )
    assert str(refused.value) == (
        "Scale 'odd' cannot hold a leader and a mentor in every unit; a unit per login; "
        "a caseload for every peer login."
    )


def _applicant_path(model) -> str:
    if model is Assessment:
        return "interview__applicant__anonymised_on"
    return "applicant__anonymised_on"


def test_applicants_are_found_in_every_stage_and_vacancies_in_every_status():
    scale.seed(SMALL)
    assert set(Applicant.objects.values_list("stage", flat=True)) == set(Applicant.Stage.values)
    assert set(Vacancy.objects.values_list("status", flat=True)) == set(Vacancy.Status.values)
    hired = Applicant.objects.filter(stage=Applicant.Stage.HIRED)
    assert hired.count() == Vacancy.objects.filter(status=Vacancy.Status.FILLED).count()
    assert not hired.filter(hired_peer__isnull=True).exists()
    assert Applicant.objects.filter(anonymised_on__isnull=False).exists()
    assert set(Cohort.objects.values_list("status", flat=True)) == set(Cohort.Status.values)
    assert Note.objects.count() == 10_000
    # Every peer worker login has a caseload of its own size, whatever the scale: the
    # patients drawn at random, shared or handed over go to the others.
    logins = PeerWorker.objects.filter(staff_member__user__username__startswith="peer")
    assert logins.count() == SMALL.peer_logins + 1  # "peer", and "peer-01" on
    for peer in logins:
        active = Patient.objects.filter(peers=peer, status=Patient.Status.ACTIVE).count()
        assert active == SMALL.login_caseload, peer


def test_the_same_day_gives_the_same_programme():
    def fingerprint():
        return [
            list(StaffMember.objects.order_by("email").values_list("email", "unit__name")),
            list(
                Note.objects.order_by("patient__reference", "created_at").values_list(
                    "patient__unit__name", "patient__reference", "peer__staff_member__email",
                    "current__date", "status",
                )
            ),
            list(Applicant.objects.order_by("vacancy__unit__name", "received_on", "stage")
                 .values_list("vacancy__unit__name", "received_on", "stage")),
            sorted(CheckIn.objects.values_list("mentorship__peer__staff_member__email", "date")),
        ]  # fmt: skip

    with transaction.atomic():
        scale.seed(TINY, today=A_DAY)
        first = fingerprint()
        transaction.set_rollback(True)
    assert not Unit.objects.exists()
    scale.seed(TINY, today=A_DAY)
    assert fingerprint() == first
    assert Note.objects.filter(current__date__gt=A_DAY).count() == 0


def test_seed_scale_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError) as refused:
        call_command("seed_scale", "--scale", "region")
    assert str(refused.value) == (
        "DEBUG is off: this looks like production. The scale data has known passwords; use "
        "--force only on a test system."
    )
    assert not Unit.objects.exists()


def test_seed_scale_refuses_a_database_that_holds_units(settings):
    settings.DEBUG = True
    UnitFactory()
    with pytest.raises(CommandError) as refused:
        call_command("seed_scale", "--scale", "nation")
    assert str(refused.value) == (
        "The database already holds units. seed_scale fills an empty database only: create a "
        "new one and run migrate first."
    )
    assert Unit.objects.count() == 1


def test_seed_scale_prints_the_rows_it_made_and_the_time_it_took(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setitem(scale.SCALES, "region", TINY)
    out = io.StringIO()
    call_command("seed_scale", "--scale", "region", "--force", stdout=out)
    lines = out.getvalue().splitlines()
    assert re.fullmatch(r"peerprogram\.Unit +6", lines[1])
    assert re.fullmatch(r"journal\.Note +400", next(x for x in lines if "journal.Note " in x))
    assert re.fullmatch(r"Seeded region in \d+\.\d s", lines[-1])
    assert _exact_sizes()["notes"] == 400
