"""The cohort report as a page, CSV, Excel and PDF (Centre only), and the erfa
attendance page."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from education import services
from education.models import DayAttendance, Meeting, local_datetime
from tests.factories import PeerWorkerFactory

from .factories import CohortFactory, MeetingFactory, mentors_group, peers_group, schedule

pytestmark = pytest.mark.django_db

FIRST_DAYS_2025 = [datetime.date(2025, 3, 3) + datetime.timedelta(weeks=i) for i in range(7)]
HEADER = [
    "Participant",
    "Unit or organisation",
    "External",
    *(f"Module {n} day {d}" for n in range(1, 8) for d in (1, 2)),
    "Modules attended",
    "Completed",
    "Completed by hand, reason",
    "Fee (DKK)",
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def cohort(cast):
    """Hold 2025: Pia attended everything, Per only the first day of module 1, an external
    participant was marked completed by hand; Anna waits, Bo cancelled."""
    by = cast.centre.user
    cohort = CohortFactory(
        name="Hold 2025", start_date=FIRST_DAYS_2025[0], status="running", capacity=3
    )
    sessions = schedule(cohort, FIRST_DAYS_2025)
    pia = services.enrol(cohort=cohort, by=by, peer=cast.peer, centre=True)
    per = services.enrol(cohort=cohort, by=by, peer=cast.other_peer, centre=True)
    bo = PeerWorkerFactory(staff_member__name="Bo Bech", staff_member__unit=cast.unit)
    services.enrolment_cancel(
        enrolment=services.enrol(cohort=cohort, by=by, peer=bo, centre=True), by=by
    )
    eva = services.enrol(
        cohort=cohort,
        by=by,
        external_name="=Eva Ekstern",  # a spreadsheet would take this for a formula
        external_organisation="Aalborg Kommune",
        centre=True,
    )
    anna = PeerWorkerFactory(staff_member__name="Anna Andersen", staff_member__unit=cast.unit)
    assert services.enrol(cohort=cohort, by=by, peer=anna, centre=True).status == "waiting"
    for session in sessions:
        present = {(pia.pk, 1), (pia.pk, 2)}
        if session.module.number == 1:
            present.add((per.pk, 1))
        services.attendance_save(session=session, by=by, present=present)
    services.enrolment_mark_completed(
        enrolment=eva, by=by, completed_on=datetime.date(2025, 5, 1), reason="Taget i Aarhus"
    )
    return cohort


def _export(client, cohort, file_format):
    return client.get(reverse("education:cohort_export", args=[cohort.pk, file_format]))


def test_the_report_page_counts_participants_and_completions(client_for, cohort):
    response = client_for("centre", "en").get(reverse("education:cohort_report", args=[cohort.pk]))
    assert response.status_code == 200
    assert [
        (p.enrolment.participant_name, p.modules_attended, p.completed_on)
        for p in response.context["participations"]
    ] == [
        ("Pia Peer", 7, datetime.date(2025, 4, 15)),
        ("Per Anden", 0, None),
        ("=Eva Ekstern", 0, datetime.date(2025, 5, 1)),
    ]
    assert [e.participant_name for e in response.context["waiting"]] == ["Anna Andersen"]
    assert [(f.payer, f.participants, f.total) for f in response.context["fees"]] == [
        ("Aalborg Kommune", 1, 14_000),
        ("F-ACT Vest", 1, 14_000),
        ("F-ACT Øst", 1, 14_000),
    ]
    assert response.context["fee_total"] == 42_000
    page = response.content.decode()
    assert "3 participants, 2 completed" in page
    assert "1 on the waiting list" in page


def test_the_csv_has_a_header_and_one_row_per_participant_with_a_seat(client_for, cohort):
    response = _export(client_for("centre", "en"), cohort, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="hold-2025.csv"'
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    assert rows[1:] == [
        ["Pia Peer", "F-ACT Øst", "no", *["present"] * 14, "7", "2025-04-15", "", "14000"],
        [
            "Per Anden",
            "F-ACT Vest",
            "no",
            "present",
            # The days the others were marked present on had their attendance taken.
            *["absent"] * 13,
            "0",
            "",
            "",
            "14000",
        ],
        [
            "'=Eva Ekstern",
            "Aalborg Kommune",
            "yes",
            *["absent"] * 14,
            "0",
            "2025-05-01",
            "Taget i Aarhus",
            "14000",
        ],
    ]


def test_the_spreadsheet_has_the_same_rows(client_for, cohort):
    response = _export(client_for("centre", "en"), cohort, "xlsx")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="hold-2025.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell if cell is not None else "" for cell in row] for row in sheet.values]
    assert rows[0] == HEADER
    assert [row[0] for row in rows[1:]] == ["Pia Peer", "Per Anden", "'=Eva Ekstern"]
    assert rows[1][3:17] == ["present"] * 14
    assert rows[1][17:] == [7, "2025-04-15", "", 14000]


def test_the_pdf_is_a_pdf_with_the_participants(client_for, cohort):
    response = _export(client_for("centre", "en"), cohort, "pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert "Hold 2025" in text
    for name in ("Pia Peer", "Per Anden", "=Eva Ekstern", "Aalborg Kommune"):
        assert name in text
    assert "Bo Bech" not in text  # cancelled


@pytest.mark.parametrize("role", ["leader", "peer", "outsider"])
def test_only_the_centre_sees_the_report_and_its_exports(client_for, cohort, role):
    client = client_for(role)
    assert client.get(reverse("education:cohort_report", args=[cohort.pk])).status_code == 404
    for file_format in ("csv", "xlsx", "pdf"):
        assert _export(client, cohort, file_format).status_code == 404


def test_the_admin_also_gets_the_csv(client_for, cohort):
    assert _export(client_for("admin", "en"), cohort, "csv").status_code == 200


# Erfa attendance ----------------------------------------------------------------------------


@pytest.fixture
def erfa_2025(cast):
    """Peer erfa meetings in 2025: one in January, two in February, a cancelled one in
    March; and a mentor erfa meeting in January that does not count."""
    group = peers_group()

    def meeting(day, group=group):
        return MeetingFactory(group=group, starts_at=local_datetime(day, datetime.time(13, 0)))

    january = meeting(datetime.date(2025, 1, 14))
    february = [meeting(datetime.date(2025, 2, 11)), meeting(datetime.date(2025, 2, 25))]
    march = meeting(datetime.date(2025, 3, 11))
    services.meeting_cancel(meeting=march, by=cast.centre.user, reason="Sygdom", expected_version=1)
    mentors = meeting(datetime.date(2025, 1, 20), group=mentors_group())
    anna = PeerWorkerFactory(staff_member__name="Anna Andersen", staff_member__unit=cast.unit)
    for held, people in (
        (january, [cast.peer.staff_member]),
        (february[0], [cast.peer.staff_member, anna.staff_member, cast.other_peer.staff_member]),
        (february[1], []),
        (mentors, [cast.peer.staff_member, cast.mentor]),
    ):
        services.meeting_attendance_save(meeting=held, by=cast.centre.user, people=people)
    assert Meeting.objects.filter(status="cancelled").count() == 1
    return anna


def test_erfa_attendance_counts_attended_of_held_per_month(client_for, cast, erfa_2025):
    response = client_for("leader", "en").get(reverse("education:erfa_attendance"), {"year": 2025})
    assert response.status_code == 200
    assert response.context["held"] == [1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    rows = {
        peer.name: (cells[:3], attended, held)
        for peer, cells, attended, held in response.context["rows"]
    }
    # The leader sees the peers of their own unit only; the cancelled meeting is not held.
    assert rows == {
        "Anna Andersen": ([(1, 0), (2, 1), (0, 0)], 1, 3),
        "Pia Peer": ([(1, 1), (2, 1), (0, 0)], 2, 3),
    }
    page = response.content.decode()
    assert "2 / 3" in page and "1 / 3" in page


def test_the_centre_sees_every_peers_erfa_attendance(client_for, cast, erfa_2025):
    response = client_for("centre", "en").get(reverse("education:erfa_attendance"), {"year": 2025})
    assert [(p.name, a, h) for p, _cells, a, h in response.context["rows"]] == [
        ("Anna Andersen", 1, 3),
        ("Per Anden", 1, 3),
        ("Pia Peer", 2, 3),
    ]


@pytest.mark.parametrize("role", ["peer", "mentor"])
def test_peers_and_mentors_do_not_get_the_erfa_attendance_page(client_for, role):
    assert client_for(role).get(reverse("education:erfa_attendance")).status_code == 403


def test_the_spreadsheet_tells_absent_from_not_held_yet(client_for, cohort):
    from education.exports import report_dataset

    future = cohort.sessions.order_by("module__number").last()
    DayAttendance.objects.filter(session=future).delete()
    type(future).objects.filter(pk=future.pk).update(
        first_day=timezone.localdate() + datetime.timedelta(days=30)
    )
    with translation.override("da"):
        data = report_dataset(cohort)
    assert data.title == "Holdrapport"
    last_two = [row[-6:-4] for row in data]
    assert last_two and all(cells == ("ikke holdt endnu",) * 2 for cells in last_two)
