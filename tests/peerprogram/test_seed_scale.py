"""seed_scale: a whole programme of region or nation size, made with bulk inserts.

The tests run the same generator at a tiny scale; the two real scales are checked by
their definitions only (they take minutes).
"""

import datetime
import io
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from education.models import Cohort, Enrolment
from journal.models import GroupNote, Note, NoteVersion, Patient, PeerMonth
from mentoring.models import CheckIn, Mentorship
from peerprogram.access import get_actor
from peerprogram.demo import scale
from peerprogram.demo.scale import NATION, REGION, Scale
from peerprogram.models import PeerWorker, StaffMember, Unit
from recruitment.models import Applicant, Assessment, Onboarding, ReferenceCheck, Vacancy

from ..factories import UnitFactory
from ..mentoring.test_last_held import assert_kept

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


@pytest.fixture
def tiny():
    return scale.seed(TINY)


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
        "Scale 'odd' cannot hold a leader and a mentor in every unit; a unit per login."
    )


def test_a_tiny_scale_makes_exactly_the_rows_its_definition_asks_for(tiny):
    assert _exact_sizes() == {
        "units": 6,
        "staff": 20,
        "peers": 12,
        "cohorts": 2,
        "applicants": 30,
        "patients": 40,
        "notes": 400,
    }
    assert tiny["peerprogram.Unit"] == 6
    assert tiny["journal.Note"] == 400
    assert tiny["auth.User"] == get_user_model().objects.count() == 33  # 32 staff and admin
    assert StaffMember.objects.filter(is_centre_staff=True).count() == 4
    assert set(Unit.objects.values_list("kind", flat=True)) == set(Unit.Kind.values)


def test_every_unit_has_an_active_leader_of_its_own_who_is_not_a_peer_worker(tiny):
    for unit in Unit.objects.select_related("leader"):
        assert unit.leader.unit_id == unit.pk
        assert unit.leader.active
        assert unit.leader.profession != StaffMember.Profession.PEER


def test_the_named_logins_hold_their_roles(tiny):
    users = {u.username: u for u in get_user_model().objects.all()}
    for name in ["admin", "center", "leder", "mentor", "peer"]:
        assert users[name].check_password("demo"), name
    assert get_actor(users["admin"]).is_admin
    assert get_actor(users["center"]).is_centre
    peer = get_actor(users["peer"]).peer
    leader = get_actor(users["leder"])
    mentor = get_actor(users["mentor"])
    assert leader.led_unit_ids == {peer.staff_member.unit_id}
    assert mentor.staff.unit_id == peer.staff_member.unit_id
    assert peer.pk in mentor.mentee_ids
    assert Mentorship.objects.get(peer=peer, end_date__isnull=True).mentor == mentor.staff
    assert Enrolment.objects.filter(peer=peer, status=Enrolment.Status.ENROLLED).count() == 1
    assert Onboarding.objects.get(peer=peer).items.count() == 32
    assert peer.start_date <= timezone.localdate() and peer.end_date is None


def test_the_named_peer_has_patients_with_approved_notes_of_every_kind(tiny):
    peer = get_actor(get_user_model().objects.get(username="peer")).peer
    notes = Note.objects.filter(patient__peers=peer)
    assert Patient.objects.filter(peers=peer, status=Patient.Status.ACTIVE).count() >= 3
    assert notes.filter(status=Note.Status.FINAL, current__status="approved").count() >= 5
    assert notes.filter(status=Note.Status.ERROR).exists()
    assert notes.filter(versions__number=2, versions__status="approved").exists()
    assert notes.filter(versions__status=NoteVersion.Status.DRAFT).exists()
    assert notes.filter(concern=True, concern_passed_at__isnull=True).exists()
    assert notes.filter(concern=True, concern_passed_at__isnull=False).exists()


def test_every_numbered_login_behaves_like_the_named_one_of_its_role(tiny):
    users = {u.username: u for u in get_user_model().objects.all()}
    today = timezone.localdate()
    for n in range(1, 4):
        leader = get_actor(users[f"leder-{n}"])
        assert len(leader.led_unit_ids) == 1
        assert (
            PeerWorker.objects.filter(staff_member__unit_id__in=leader.led_unit_ids)
            .filter(start_date__lte=today, end_date__isnull=True)
            .exists()
        )
        peer = get_actor(users[f"peer-{n}"]).peer
        assert Note.objects.filter(peer=peer, status=Note.Status.FINAL).exists()
        assert Mentorship.objects.filter(peer=peer, end_date__isnull=True).exists()
    for n in range(1, 3):
        assert get_actor(users[f"mentor-{n}"]).mentee_ids
        assert get_actor(users[f"center-{n}"]).is_centre
    assert "leder-4" not in users and "peer-4" not in users and "center-3" not in users


def test_every_note_has_exactly_one_current_approved_version_of_its_own(tiny):
    assert set(Note.objects.values_list("status", flat=True)) <= {"final", "error"}
    assert not Note.objects.filter(current__isnull=True).exists()
    for note in Note.objects.select_related("current"):
        assert note.current.note_id == note.pk
        assert note.current.status == NoteVersion.Status.APPROVED
        newest_approved = note.versions.filter(status="approved").order_by("-number").first()
        assert note.current == newest_approved


def test_the_statistics_figures_count_every_final_note_and_group_session(tiny):
    figures = PeerMonth.objects.aggregate(notes=Sum("notes"), groups=Sum("group_sessions"))
    assert figures == {
        "notes": Note.objects.filter(status=Note.Status.FINAL).count(),
        "groups": GroupNote.objects.count(),
    }
    assert figures["notes"] > 0 and figures["groups"] > 0


def test_check_ins_are_mostly_held_and_the_future_ones_planned(tiny):
    today = timezone.localdate()
    past = CheckIn.objects.filter(date__lt=today)
    held = past.filter(status=CheckIn.Status.HELD)
    assert held.count() > past.count() / 2
    assert not held.filter(topics=[]).exists()
    assert set(CheckIn.objects.filter(date__gte=today).values_list("status", flat=True)) == {
        CheckIn.Status.PLANNED
    }


def test_every_mentorship_keeps_the_date_of_its_last_held_check_in(tiny):
    assert Mentorship.objects.filter(last_held_on__isnull=False).exists()
    assert_kept()


def test_cohorts_hold_no_more_seats_than_they_have(tiny):
    for cohort in Cohort.objects.all():
        seated = cohort.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
        assert seated <= cohort.capacity
        if cohort.enrolments.filter(status=Enrolment.Status.WAITING).exists():
            assert seated == cohort.capacity


def test_sampled_rows_of_every_model_pass_full_clean_and_the_foreign_keys_hold(tiny):
    models = [get_user_model()]
    for label in scale.APPS:
        models += list(apps.get_app_config(label).get_models())
    checked = 0
    for model in models:
        rows = model.objects.all()
        if model in (Assessment, ReferenceCheck):
            # Anonymised applicants keep these rows with the text removed, as the retention
            # command leaves them; the form would not accept an empty text.
            rows = rows.filter(**{_applicant_path(model): None})
        rows = rows.order_by("pk")
        for row in [*rows[:5], *rows.reverse()[:5]]:
            row.full_clean()
            checked += 1
    assert checked > 200
    connection.check_constraints()


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
