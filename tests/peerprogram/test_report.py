"""The yearly report: each figure counted from the apps' records for the right year and
scope, the rule of five kept, and a fixed number of queries."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from education.models import Meeting, MeetingAttendance
from evaluation.models import Instrument, Measurement, PatientConsent
from journal import services as journal_services
from journal.models import PeerMonth
from mentoring.models import CheckIn
from peerprogram.report import figures, presenters
from programme.models import SignalAck
from tests.education.factories import MeetingFactory, SupervisionFactory, peers_group
from tests.factories import MentorshipFactory, PeerWorkerFactory, UnitFactory

D = datetime.date
TODAY = D(2026, 12, 6)


@pytest.fixture
def year(cast):
    """2025 in the cast's unit: two peer workers hired (one full time), one who left for
    a new job after 8 months; check-ins, an acknowledged signal, the journal's counts."""
    unit = cast.unit
    hired = PeerWorkerFactory(staff_member__unit=unit, start_date=D(2025, 3, 1), hours_per_week=37)
    left = PeerWorkerFactory(
        staff_member__unit=unit,
        start_date=D(2025, 1, 1),
        end_date=D(2025, 9, 1),
        end_reason="new_job",
        hours_per_week=10,
    )
    mentorship = MentorshipFactory(peer=hired, start_date=D(2025, 3, 1))
    for day, status in (
        (D(2025, 3, 10), "held"),
        (D(2025, 3, 17), "held"),
        (D(2025, 3, 24), "cancelled"),
        (D(2025, 3, 31), "planned"),  # never logged
        (D(2024, 12, 30), "held"),  # the year before
    ):
        CheckIn.objects.create(
            mentorship=mentorship, date=day, time=datetime.time(10), status=status
        )
    ack = SignalAck.objects.create(peer=hired, kind="alone", comment="Buddy")
    SignalAck.objects.filter(pk=ack.pk).update(
        created_at=datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC)
    )
    PeerMonth.objects.create(
        peer=hired, month=D(2025, 4, 1), notes=10, conversations=8, referrals=3, hope=4
    )
    PeerMonth.objects.create(peer=hired, month=D(2024, 4, 1), notes=99, conversations=99)
    return {"hired": hired, "left": left}


def test_the_peer_workers_figures_count_the_year_and_the_year_before(cast, year):
    report = figures.report(cast.unit, 2025, TODAY)
    this, before = report.this, report.before
    # The cast's own peer worker started in 2024 (factory default) and is still employed.
    assert (this.employed, this.hired, this.left) == (2, 2, 1)
    assert this.reasons == [("Own wish: a new job", 1)] or this.reasons[0][1] == 1
    assert this.tenure_of_leavers == pytest.approx(8.0, abs=0.2)
    assert this.kept_one == (1, 1)  # the cast's peer worker, a year after 2024-01-01
    assert (before.employed, before.hired, before.left) == (1, 1, 0)
    assert this.hours_bands == {"few": 0, "mid": 1, "high": 0, "full": 1}
    assert (this.checkins_held, this.checkins_cancelled, this.checkins_missing) == (2, 1, 1)
    assert before.checkins_held == 1
    assert this.acknowledged == {"alone": 1} and not before.acknowledged
    assert (this.notes, this.conversations, this.referrals, this.chime["hope"]) == (10, 8, 3, 4)
    assert before.notes == 99
    # Contracted: 37 h from March, 10 h until September, 25 h all year.
    assert this.contracted_hours == pytest.approx(
        37 * (306 / 7) + 10 * (244 / 7) + 25 * (365 / 7), rel=0.01
    )


def test_a_units_report_holds_only_that_unit(cast, year):
    other = PeerWorkerFactory(staff_member__unit=cast.other_unit, start_date=D(2025, 5, 1))
    PeerMonth.objects.create(peer=other, month=D(2025, 5, 1), notes=50)
    CheckIn.objects.create(
        mentorship=MentorshipFactory(peer=other, start_date=D(2025, 5, 1)),
        date=D(2025, 5, 5),
        time=datetime.time(10),
        status="held",
    )
    SignalAck.objects.create(peer=other, kind="drift", comment="Talked it through")
    SignalAck.objects.filter(peer=other).update(
        created_at=datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC)
    )
    mine = figures.report(cast.unit, 2025, TODAY).this
    theirs = figures.report(cast.other_unit, 2025, TODAY).this
    everyone = figures.report(None, 2025, TODAY).this
    assert (mine.hired, theirs.hired, everyone.hired) == (2, 1, 3)
    assert (mine.notes, theirs.notes, everyone.notes) == (10, 50, 60)
    held = (mine.checkins_held, theirs.checkins_held, everyone.checkins_held)
    assert held == (2, 1, 3)
    assert mine.acknowledged == {"alone": 1} and theirs.acknowledged == {"drift": 1}
    assert everyone.acknowledged == {"alone": 1, "drift": 1}


def test_a_unit_without_peer_workers_counts_the_meetings_held_and_no_attendance(cast, year):
    empty = UnitFactory()
    meeting = MeetingFactory(
        group=peers_group(),
        starts_at=datetime.datetime(2025, 10, 7, 11, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2025, 10, 7, 13, tzinfo=datetime.UTC),
    )
    MeetingAttendance.objects.create(meeting=meeting, person=year["hired"].staff_member)
    this = figures.report(empty, 2025, TODAY).this
    assert (this.erfa_held, this.erfa_attended, this.erfa_possible) == (1, 0, 0)
    assert this.employed == 0 and this.checkins_held == 0


def test_erfa_attendance_counts_the_peer_workers_employed_on_each_meetings_day(cast, year):
    group = peers_group()
    meeting = MeetingFactory(
        group=group,
        starts_at=datetime.datetime(2025, 10, 7, 11, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2025, 10, 7, 13, tzinfo=datetime.UTC),
    )
    MeetingAttendance.objects.create(meeting=meeting, person=year["hired"].staff_member)
    this = figures.report(cast.unit, 2025, TODAY).this
    # In October the cast's peer worker and the one hired in March were employed.
    assert (this.erfa_held, this.erfa_attended, this.erfa_possible) == (1, 1, 2)


def test_meetings_count_the_scopes_own_attendance_and_invitations(cast, year):
    """Supervisions held with the scope's invitations and attendance; erfa meetings of all
    peer workers with the scope's peer workers' attendance (not a facilitator's); nothing
    of a cancelled meeting, a group of members or a meeting to come."""
    hour = datetime.timedelta(hours=1)

    def at(month: int) -> datetime.datetime:
        return datetime.datetime(2025, month, 7, 11, tzinfo=datetime.UTC)

    other = PeerWorkerFactory(staff_member__unit=cast.other_unit, start_date=D(2025, 1, 1))
    hired = year["hired"]
    supervision = SupervisionFactory(
        starts_at=at(5), ends_at=at(5) + hour, participants=[hired, cast.peer, other]
    )
    erfa = MeetingFactory(group=peers_group(), starts_at=at(10), ends_at=at(10) + hour)
    cancelled = MeetingFactory(
        group=peers_group(),
        starts_at=at(11),
        ends_at=at(11) + hour,
        status=Meeting.Status.CANCELLED,
    )
    members = MeetingFactory(starts_at=at(6), ends_at=at(6) + hour)
    for meeting, person in (
        (supervision, hired.staff_member),
        (supervision, other.staff_member),
        (erfa, hired.staff_member),
        (erfa, cast.peer.staff_member),
        (erfa, other.staff_member),
        (erfa, cast.centre),  # the facilitator: no peer worker
        (cancelled, hired.staff_member),
        (members, hired.staff_member),
    ):
        MeetingAttendance.objects.create(meeting=meeting, person=person)
    mine = figures.report(cast.unit, 2025, TODAY).this
    theirs = figures.report(cast.other_unit, 2025, TODAY).this
    everyone = figures.report(None, 2025, TODAY).this
    supervisions = [
        (f.supervisions_held, f.supervision_invited, f.supervision_attended)
        for f in (mine, theirs, everyone)
    ]
    assert supervisions == [(1, 2, 1), (1, 1, 1), (1, 3, 2)]
    assert [(f.erfa_held, f.erfa_attended) for f in (mine, theirs, everyone)] == [
        (1, 2),
        (1, 1),
        (1, 3),
    ]


def test_outcomes_in_the_report_keep_the_rule_of_five(cast):
    instrument = Instrument.objects.create(
        name="Eksempel", licence="Egen", min_label="L", max_label="H", timepoints=["first", "m3"]
    )
    units = [cast.unit, UnitFactory(), UnitFactory()]
    for unit, size in zip(units, (6, 3, 3), strict=True):
        peer = PeerWorkerFactory(staff_member__unit=unit)
        for k in range(size):
            patient = journal_services.patient_create(
                by=None,
                peer=peer,
                name=f"P{k}",
                reference=f"{unit.pk}-{k}",
                consent_date=D(2025, 1, 5),
                consent_given="orally",
            )
            PatientConsent.objects.create(
                patient=patient, measure_on=D(2025, 1, 5), measure_how="orally"
            )
            for point, day, score in (("first", D(2025, 1, 5), 2.0), ("m3", D(2025, 4, 5), 3.0)):
                Measurement.objects.create(
                    patient=patient,
                    instrument=instrument,
                    timepoint=point,
                    peer=peer,
                    taken_on=day,
                    status="done",
                    score=score,
                )
    report = figures.report(cast.unit, 2025, TODAY)
    lines = {str(line.label): line for s in presenters.sections(report) for line in s.lines}
    assert lines["Eksempel: patienter målt første gang"].this == "6"
    assert lines["Eksempel: gennemsnitlig ændring, Efter 3 måneder"].this.startswith("+1")
    small = figures.report(units[1], 2025, TODAY)
    lines = {str(line.label): line for s in presenters.sections(small) for line in s.lines}
    assert lines["Eksempel: patienter målt første gang"].this == "færre end 5"


# Measured, equal at both sizes, without a daily run: the session, the user and the actor
# (3), the programme's stored years (none; the unit's report reads the unit), the peer workers,
# their education, the check-ins and the signals acknowledged (two aggregates), the
# checklists, the meetings and the scope's attendance and invitations (two), the journal's
# months, the survey rounds and the outcomes. The session is not written back: the request
# before saved it (at most once a minute).
REPORT_QUERIES = {"centre": 14, "leader": 14}


@pytest.mark.parametrize("size", [1, 4])
def test_the_report_pages_ask_a_fixed_number_of_queries(
    client_for, cast, size, django_assert_num_queries
):
    for n in range(size):
        peer = PeerWorkerFactory(staff_member__unit=cast.unit, start_date=D(2025, 1, 1 + n))
        MentorshipFactory(peer=peer)
        PeerMonth.objects.create(peer=peer, month=D(2025, 2, 1), notes=n)
    for url, role in (
        (reverse("peerprogram:programme_report") + "?year=2025", "centre"),
        (reverse("peerprogram:unit_report", args=[cast.unit.pk]) + "?year=2025", "leader"),
    ):
        client = client_for(role)
        client.get(url)
        with django_assert_num_queries(REPORT_QUERIES[role]):
            assert client.get(url).status_code == 200


def test_the_pdf_and_the_spreadsheet_hold_the_same_figures(client_for, cast, year):
    client = client_for("centre")
    sheet = client.get(reverse("peerprogram:programme_report_xlsx") + "?year=2025")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True)
    )
    assert rows[0][:4] == ("Afsnit", "Tal", "2025", "2024")
    hired = next(r for r in rows if r[1] == "Ansat")
    assert hired[2:4] == ("2", "2")  # 2024: the cast's two peer workers
    pdf = client.get(reverse("peerprogram:unit_report_pdf", args=[cast.unit.pk]) + "?year=2025")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_year_outside_the_records_is_brought_within_them(client_for, cast):
    client = client_for("centre")
    page = client.get(reverse("peerprogram:programme_report") + "?year=1900")
    assert page.context["report"].this.period.year == 2020
    page = client.get(reverse("peerprogram:programme_report") + "?year=abc")
    assert page.context["report"].this.period.year == datetime.date.today().year


def test_a_checklist_is_on_time_when_every_task_ticked_by_hand_was_done_by_its_due_day(
    cast, vacancy
):
    from recruitment import selectors as recruitment_selectors
    from recruitment.models import ChecklistItem, Onboarding

    onboarding = vacancy.onboarding
    by_hand = ChecklistItem.objects.filter(onboarding=onboarding, derived_from="").exclude(
        anchor="education_completed"
    )
    today = datetime.date.today()
    ChecklistItem.objects.filter(pk__in=by_hand).update(done_on=today, due_override=today)
    [counted] = recruitment_selectors.onboarding_timeliness(
        Onboarding.objects.filter(pk=onboarding.pk), today
    )
    assert counted.tasks == by_hand.count() and counted.on_time
    late = by_hand.first()
    ChecklistItem.objects.filter(pk=late.pk).update(due_override=today - datetime.timedelta(days=3))
    [counted] = recruitment_selectors.onboarding_timeliness(
        Onboarding.objects.filter(pk=onboarding.pk), today
    )
    assert counted.complete and not counted.on_time and counted.late == 1
    ChecklistItem.objects.filter(pk=late.pk).update(done_on=None)
    [counted] = recruitment_selectors.onboarding_timeliness(
        Onboarding.objects.filter(pk=onboarding.pk), today
    )
    assert (counted.complete, counted.overdue) == (False, 1)
