"""What the tiny scale seeds, read by each test from one seed per module (the scale itself,
the sizes and the command are tested in tests/peerprogram/test_seed_scale.py)."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from education.models import Cohort, Enrolment
from journal.models import GroupNote, Note, NoteVersion, Patient, PeerMonth
from mentoring.models import CheckIn, Mentorship
from peerprogram.access import get_actor
from peerprogram.demo import scale
from peerprogram.models import PeerWorker, StaffMember, Unit
from recruitment.models import Assessment, Onboarding, ReferenceCheck

from ..conftest import built_once
from ..mentoring.test_last_held import assert_kept
from .test_seed_scale import TINY, _applicant_path, _exact_sizes

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _tiny_world(django_db_setup, django_db_blocker):
    """The tiny programme, seeded once for the module's tests, which only read it."""
    with built_once(django_db_blocker, lambda: scale.seed(TINY)) as seeded:
        yield seeded


@pytest.fixture
def tiny(_tiny_world, db):
    return _tiny_world


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
