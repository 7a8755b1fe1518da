"""The recruitment journey in a real browser: a leader opens a vacancy, seats a hiring
committee, takes an applicant through interview and reference to hiring, and ticks the
onboarding checklist; committee members assess, outsiders see nothing.

Most recruitment wording is still being translated, so the assertions lean on URLs, form
field names, data-testid hooks, stage classes and names from the demo data. The PDFs are
Danish documents whatever the page language, so their text is asserted as it is.
"""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from peerprogram.models import PeerWorker, StaffMember
from recruitment.models import Applicant, Assessment, CommitteeMember, Onboarding, Vacancy

from .conftest import log_out as conftest_log_out
from .conftest import login, login_through_form

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

DEMO_VACANCY = "Peermedarbejder til F-ACT Aalborg Øst"
NEW_VACANCY = "Peermedarbejder, 25 timer, F-ACT Aalborg Øst"
PDF_COPY = Path("/tmp/onboarding-journey.pdf")
# The demo applicants and the board column each of them sits in.
DEMO_BOARD = {
    "received": ["Rikke Sand"],
    "prequalification": ["Jens Mølby"],
    "interview": ["Hanne Dyhr"],
    "references": ["Kim Albæk"],
    "offer": ["Sofie Bladt"],
    "hired": [],
    "rejected": ["Martin Eskildsen"],
    "withdrawn": ["Tina Lorentzen"],
}
MANUAL_TASK = "Udarbejd ansættelseskontrakt"
MENTOR_TASK = "Udpeg mentor"


def url(live_server, path: str) -> str:
    return f"{live_server.url}{path}"


def board_path(vacancy: Vacancy) -> str:
    return f"/recruitment/vacancies/{vacancy.pk}/applicants/"


def column(page: Page, stage: str):
    return page.get_by_test_id("board").locator(f"section[data-stage={stage}]")


def submit_main_form(page: Page) -> None:
    """The one form of a form page (the navbar's language and logout forms sit outside main)."""
    page.locator("main form[method=post] button[type=submit]").click()


def log_out(page: Page, live_server) -> None:
    page.goto(url(live_server, "/"))
    conftest_log_out(page)


def seat_label(seat: CommitteeMember.Seat) -> str:
    """The seat's name as the Danish page shows it (English while it is untranslated)."""
    with translation.override("da"):
        return str(seat.label)


def pdf_text(body: bytes) -> str:
    """All the PDF's text, with runs of whitespace (line breaks in table cells) made single."""
    reader = PdfReader(io.BytesIO(body))
    return " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())


def test_leader_hires_a_peer_worker_from_vacancy_to_checklist_pdf(
    page: Page, live_server, screenshot
):
    today = timezone.localdate()
    deadline = today + datetime.timedelta(days=7)
    start = today + datetime.timedelta(days=60)
    login_through_form(page, live_server, "leder")

    # The demo vacancy's board as the demo data has it: people in most columns.
    demo_vacancy = Vacancy.objects.get(title=DEMO_VACANCY)
    page.goto(url(live_server, board_path(demo_vacancy)))
    expect(page.get_by_test_id("board").locator("section[data-stage]")).to_have_count(8)
    for stage, names in DEMO_BOARD.items():
        expect(column(page, stage).locator("article")).to_have_count(len(names))
        for name in names:
            expect(column(page, stage)).to_contain_text(name)
    screenshot(page, "recruitment-board")

    # A new vacancy: the unit and the leader as contact come preselected.
    page.goto(url(live_server, "/recruitment/vacancies/new/"))
    expect(page.locator("select[name=unit] option:checked")).to_have_text("F-ACT Aalborg Øst")
    expect(page.locator("select[name=contact_person] option:checked")).to_contain_text(
        "Lone Kjærgaard"
    )
    page.fill("input[name=title]", NEW_VACANCY)
    page.fill("input[name=hours_per_week]", "25")
    # 25 × 10,115 kr. = 252,875 kr., written the Danish way, while typing.
    expect(page.locator("[data-cost-label]")).to_contain_text("252.875")
    expect(page.locator("[data-low-hours]")).to_be_hidden()
    page.select_option("select[name=employment_form]", "permanent")
    page.fill("input[name=application_deadline]", deadline.isoformat())
    page.fill("input[name=planned_start_date]", start.isoformat())
    submit_main_form(page)

    vacancy = Vacancy.objects.get(title=NEW_VACANCY)
    vacancy_url = url(live_server, f"/recruitment/vacancies/{vacancy.pk}/")
    expect(page).to_have_url(vacancy_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_VACANCY)
    expect(page.get_by_test_id("posting")).to_contain_text("F-ACT Aalborg Øst")
    assert vacancy.status == Vacancy.Status.DRAFT
    assert vacancy.hours_per_week == 25
    assert vacancy.application_deadline == deadline
    assert vacancy.planned_start_date == start

    page.locator("button[name=status][value=published]").click()
    expect(page).to_have_url(vacancy_url)
    expect(page.locator("main .alert-success")).to_be_visible()
    expect(page.locator("button[name=status][value=published]")).to_have_count(0)
    expect(page.locator("button[name=status][value=closed]")).to_be_visible()
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.PUBLISHED
    assert vacancy.published_on == today

    # The leader sits on the committee from the start; three recommended seats are empty.
    committee = page.get_by_test_id("committee")
    expect(committee).to_contain_text("Lone Kjærgaard")
    empty_seats = page.get_by_test_id("empty-seats")
    expect(empty_seats).to_be_visible()
    seats = [
        ("Sara Holm", CommitteeMember.Seat.STAFF_REP),
        ("Karen Mølgaard", CommitteeMember.Seat.CENTRE),
        ("Oliver Jakobsen", CommitteeMember.Seat.PEER),
    ]
    for name, seat in seats:
        expect(empty_seats).to_contain_text(seat_label(seat))
        member = StaffMember.objects.get(name=name)
        page.select_option("#id_staff_member", str(member.pk))
        page.select_option("#id_seat", seat.value)
        page.locator("form[action$='/committee/'] button[type=submit]").click()
        expect(page).to_have_url(vacancy_url)
        expect(page.locator("main .alert-success")).to_contain_text(name)
        expect(committee.locator("li", has_text=name)).to_have_count(1)
        # Someone already seated is not offered again.
        expect(page.locator(f"#id_staff_member option[value='{member.pk}']")).to_have_count(0)
        if seat != CommitteeMember.Seat.PEER:
            expect(empty_seats).not_to_contain_text(seat_label(seat))
    expect(empty_seats).to_have_count(0)
    assert sorted(vacancy.committee.values_list("seat", flat=True)) == sorted(
        ["leader", "staff_rep", "centre", "peer"]
    )
    screenshot(page, "recruitment-vacancy")

    # The board of the new vacancy is empty; the leader adds the first applicant.
    page.locator(f"main a[href='{board_path(vacancy)}']").first.click()
    expect(page).to_have_url(url(live_server, board_path(vacancy)))
    expect(page.get_by_test_id("board").locator("article")).to_have_count(0)
    page.locator(f"main a[href='{board_path(vacancy)}new/']").click()
    page.fill("input[name=name]", "Ane Testesen")
    page.fill("input[name=email]", "ane.testesen@example.org")
    page.fill("input[name=phone]", "+45 22 33 44 55")
    expect(page.locator("input[name=received_on]")).to_have_value(today.isoformat())
    submit_main_form(page)

    ane = Applicant.objects.get(vacancy=vacancy, name="Ane Testesen")
    ane_url = url(live_server, f"/recruitment/applicants/{ane.pk}/")
    expect(page).to_have_url(ane_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ane Testesen")
    stage = page.get_by_test_id("stage")
    expect(stage).to_have_class(re.compile(r"\bstage-received\b"))
    expect(page.locator("main")).to_contain_text("ane.testesen@example.org")

    answers = {
        "motivation": "Vil bruge sine egne erfaringer til at give andre håb.",
        "recovery": "Har været stabil i fire år og ved, hvad der hjælper hende.",
        "robustness": "Har en plan for svære dage og et netværk, der bakker op.",
        "readiness": "Har erfaring fra frivilligt arbejde i et værested.",
    }
    for field, text in answers.items():
        page.fill(f"textarea[name={field}]", text)
    page.locator("form[action$='/questionnaire/'] button[type=submit]").click()
    expect(page).to_have_url(ane_url)
    expect(page.locator("main .alert-success")).to_be_visible()
    for field, text in answers.items():
        expect(page.locator(f"textarea[name={field}]")).to_have_value(text)

    # An interview with the whole committee moves her on to the interview step.
    page.locator(f"main a[href='/recruitment/applicants/{ane.pk}/interviews/new/']").click()
    interview_day = today + datetime.timedelta(days=10)
    page.fill("input[name=starts_at]", f"{interview_day.isoformat()}T10:00")
    page.fill("input[name=place]", "Mødelokale 2, Aalborg Øst")
    present = page.locator("input[name=present]")
    expect(present).to_have_count(4)
    for box in present.all():
        box.check()
    submit_main_form(page)
    expect(page).to_have_url(ane_url)
    expect(stage).to_have_class(re.compile(r"\bstage-interview\b"))
    interviews = page.get_by_test_id("interviews")
    expect(interviews).to_contain_text("Mødelokale 2, Aalborg Øst")
    for name in ["Lone Kjærgaard", "Sara Holm", "Karen Mølgaard", "Oliver Jakobsen"]:
        expect(interviews).to_contain_text(name)
    expect(page.get_by_test_id("history").locator("li")).to_have_count(2)
    screenshot(page, "recruitment-applicant")

    page.locator(f"main a[href='/recruitment/applicants/{ane.pk}/references/new/']").click()
    page.fill("input[name=referee]", "Tidligere leder på værestedet")
    page.fill("input[name=checked_on]", today.isoformat())
    page.fill("textarea[name=summary]", "Pålidelig og god til at lytte.")
    submit_main_form(page)
    expect(page).to_have_url(ane_url)
    expect(page.locator("main")).to_contain_text("Tidligere leder på værestedet")

    # Hiring: the facts come from the vacancy, nothing is typed twice.
    page.locator(f"main a[href='/recruitment/applicants/{ane.pk}/hire/']").click()
    expect(page.locator("input[name=start_date]")).to_have_value(start.isoformat())
    expect(page.locator("input[name=hours_per_week]")).to_have_value("25")
    expect(page.locator("select[name=employment_form]")).to_have_value("permanent")
    expect(page.locator("input[name=probation_months]")).to_have_value("3")
    submit_main_form(page)

    onboarding = Onboarding.objects.get(vacancy=vacancy)
    checklist_url = url(live_server, f"/recruitment/checklists/{onboarding.pk}/")
    expect(page).to_have_url(checklist_url)
    expect(page.locator("main .alert-success")).to_contain_text("Ane Testesen")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ane Testesen")
    peer = PeerWorker.objects.get(staff_member__email="ane.testesen@example.org")
    assert peer.staff_member.unit == vacancy.unit
    assert peer.start_date == start
    assert onboarding.peer_id == peer.pk
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.FILLED

    # Appointing a mentor is read from the mentoring app, never ticked by hand.
    rows = page.locator("tr[data-testid=item]")
    mentor_row = rows.filter(has_text=MENTOR_TASK)
    expect(mentor_row).to_have_count(1)
    expect(mentor_row.locator("button")).to_have_count(0)

    # Ticking swaps the row and the progress in place, without loading the page again.
    progress = page.locator("#checklist-progress progress")
    done_before = int(progress.get_attribute("value"))
    total = int(progress.get_attribute("max"))
    # htmx is loaded at the end of the page; wait for it before clicking.
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.__stillTheSamePage = true")
    task = rows.filter(has_text=MANUAL_TASK)
    expect(task).to_have_count(1)
    expect(task.locator("button[aria-pressed=false]")).to_be_visible()
    task.locator("button[type=submit]").click()
    expect(task.locator("button[aria-pressed=true]")).to_be_visible()
    expect(task).to_have_class(re.compile(r"\bstate-done\b"))
    expect(progress).to_have_attribute("value", str(done_before + 1))
    expect(page.locator("#checklist-progress")).to_contain_text(f"{done_before + 1}/{total}")
    assert page.url == checklist_url
    assert page.evaluate("window.__stillTheSamePage") is True
    assert onboarding.items.get(title=MANUAL_TASK).done_on == today
    screenshot(page, "recruitment-checklist")

    # The onboarding status as a Danish PDF, fetched with the browser's session.
    pdf_href = page.get_by_test_id("pdf-link").get_attribute("href")
    assert pdf_href == f"/recruitment/checklists/{onboarding.pk}/onboarding.pdf"
    response = page.request.get(url(live_server, pdf_href))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    PDF_COPY.write_bytes(body)
    text = pdf_text(body)
    for expected in ["Opstartsstatus", "Ane Testesen", "Side 1 af", MANUAL_TASK]:
        assert expected in text, f"{expected!r} is not in the PDF"


def test_committee_member_writes_an_assessment_and_an_outsider_sees_no_applicants(
    page: Page, live_server
):
    vacancy = Vacancy.objects.get(title=DEMO_VACANCY)
    hanne = Applicant.objects.get(vacancy=vacancy, name="Hanne Dyhr")
    login(page, live_server, "peer2")
    expect(page.get_by_test_id("who")).to_have_text("Oliver Jakobsen")

    # The committee member finds the vacancy in the list and sees its applicants.
    page.goto(url(live_server, "/recruitment/vacancies/"))
    page.locator(f"main a[href='/recruitment/vacancies/{vacancy.pk}/']").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_VACANCY)
    page.locator(f"main a[href='{board_path(vacancy)}']").first.click()
    expect(page).to_have_url(url(live_server, board_path(vacancy)))
    # Adding, moving and deciding are the leader's.
    expect(page.locator(f"main a[href='{board_path(vacancy)}new/']")).to_have_count(0)
    expect(page.get_by_test_id("board").locator("select[name=to_stage]")).to_have_count(0)

    column(page, "interview").get_by_role("link", name="Hanne Dyhr").click()
    expect(page).to_have_url(url(live_server, f"/recruitment/applicants/{hanne.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hanne Dyhr")
    expect(page.locator(f"main a[href='/recruitment/applicants/{hanne.pk}/hire/']")).to_have_count(
        0
    )
    interviews = page.get_by_test_id("interviews")
    # Karen Mølgaard's assessment from the demo data can be read by the others.
    expect(interviews).to_contain_text("Fortæller roligt om sin egen recovery")
    interviews.locator("a[href$='/assessment/']").click()
    expect(page).to_have_url(re.compile(r"/recruitment/interviews/\d+/assessment/$"))
    reflection = "Sætter ord på sin egen recovery uden at gøre den til hele historien."
    page.fill("textarea[name=recovery_reflection]", reflection)
    page.fill("textarea[name=assessment]", "Lytter godt og spørger ind; klar til opgaven.")
    page.select_option("select[name=recommendation]", "yes")
    submit_main_form(page)

    expect(page).to_have_url(url(live_server, f"/recruitment/applicants/{hanne.pk}/"))
    expect(page.locator("main .alert-success")).to_be_visible()
    mine = interviews.locator(".border-start", has_text="Oliver Jakobsen")
    expect(mine).to_contain_text(reflection)
    expect(interviews.locator(".border-start")).to_have_count(2)
    assessment = Assessment.objects.get(
        interview__applicant=hanne, member__staff_member__name="Oliver Jakobsen"
    )
    assert assessment.recommendation == "yes"

    # A leader of another unit and a peer worker outside the committee get "not found".
    board_url = url(live_server, board_path(vacancy))
    for outsider in ["leder2", "peer"]:
        log_out(page, live_server)
        login(page, live_server, outsider)
        response = page.goto(board_url)
        assert response.status == 404, outsider
        expect(page.get_by_role("heading", level=1)).to_have_text("Vi kunne ikke finde siden")
        expect(page.locator("main")).not_to_contain_text("Hanne Dyhr")
        response = page.goto(url(live_server, f"/recruitment/applicants/{hanne.pk}/"))
        assert response.status == 404, outsider


def test_leader_moves_an_applicant_on_the_board(page: Page, live_server):
    vacancy = Vacancy.objects.get(title=DEMO_VACANCY)
    login(page, live_server, "leder")
    page.goto(url(live_server, board_path(vacancy)))
    expect(column(page, "prequalification").locator("article")).to_have_count(1)

    card = column(page, "received").locator("article", has_text="Rikke Sand")
    expect(card.locator("select[name=to_stage]")).to_have_value("received")
    card.locator("select[name=to_stage]").select_option("prequalification")
    card.locator("button[type=submit]").click()

    expect(page).to_have_url(url(live_server, board_path(vacancy)))
    expect(page.locator("main .alert-success")).to_be_visible()
    moved = column(page, "prequalification").locator("article", has_text="Rikke Sand")
    expect(moved).to_have_count(1)
    expect(moved.locator("select[name=to_stage]")).to_have_value("prequalification")
    expect(column(page, "prequalification").locator("article")).to_have_count(2)
    expect(column(page, "received").locator("article")).to_have_count(0)
    rikke = Applicant.objects.get(vacancy=vacancy, name="Rikke Sand")
    assert rikke.stage == Applicant.Stage.PREQUALIFICATION
    last = rikke.stage_changes.order_by("at").last()
    assert (last.from_stage, last.to_stage) == ("received", "prequalification")
    assert last.by.username == "leder"
