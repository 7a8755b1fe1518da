"""The journal in a real browser, on the demo data: the peer worker takes a referral and
writes a note together with the patient, one CHIME element per screen, on a tablet; the
patient approves it. The autosave keeps what was typed when the browser is closed. The
leader follows the work in the statistics and never reaches a note. Changing a final note
needs the patient's approval again.

The journal wording is still being translated, so names are matched in English or in the
Danish the server's catalogue gives (with the expected Danish wording as a fallback). The
rest leans on URLs, form field names, data-testid hooks, names from the demo data and the
database.
"""

import re

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, Page, expect

from journal.models import Note, NoteVersion, Patient, Referral
from peerprogram.demo import journal as journal_demo

from .conftest import DESKTOP, TABLET, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

REFERRED = ("G.H.", "AØ-1250")
CONNECTEDNESS = "Vil gerne ringe til sin bror igen. De har ikke talt sammen i et år."
HOPE = "Glæder sig til at komme hjem til katten og sin egen seng."
EMPOWERMENT = "Har selv bedt om at få en ven med til udskrivelsessamtalen."
NEXT_STEPS = "Vi mødes igen mandag kl. 13 i afsnittet og går en tur sammen."
# Every sentence the demo notes are written from: none may reach someone outside the caseload.
DEMO_SENTENCES = [
    *journal_demo.CONNECTEDNESS,
    *journal_demo.HOPE,
    *journal_demo.IDENTITY,
    *journal_demo.MEANING,
    *journal_demo.EMPOWERMENT,
    *journal_demo.WORDS,
    *journal_demo.NEXT_STEPS,
]
# The autosave answers with the time to the second; the page itself shows hours and minutes.
SAVED_JUST_NOW = re.compile(r"\b\d{1,2}[:.]\d{2}[:.]\d{2}\b")


def url(live_server, path: str) -> str:
    return f"{live_server.url}{path}"


def danish(message: str) -> str:
    """A sentence as the Danish page shows it (English while it is untranslated)."""
    with translation.override("da"):
        return gettext(message)


def name(english: str, *expected_danish: str) -> re.Pattern:
    """An accessible name, exactly: English, the catalogue's Danish, or the Danish wording
    the translation is expected to use."""
    names = sorted({english, danish(english), *expected_danish}, key=len, reverse=True)
    return re.compile(r"^\s*(?:" + "|".join(re.escape(n) for n in names) + r")\s*$")


def one_of(english: str, *expected_danish: str) -> re.Pattern:
    """The same, anywhere in a text."""
    names = sorted({english, danish(english), *expected_danish}, key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in names))


def no_errors(page: Page) -> None:
    expect(
        page.locator("main .alert-danger, main .invalid-feedback, main .errorlist")
    ).to_have_count(0)


def peer_notes(**filters):
    return Note.objects.filter(peer__staff_member__user__username="peer", **filters)


def write_url(note: Note, step: str) -> str:
    return f"/journal/notes/{note.pk}/write/?step={step}"


def at_step(page: Page, live_server, note: Note, step: str) -> None:
    expect(page).to_have_url(url(live_server, write_url(note, step)))
    # On a writing step the steps are buttons (saving first); on the approve step, links.
    current = page.locator(".cowrite-step[aria-current=step]")
    if step == "approve":
        expect(current).to_have_attribute("href", f"?step={step}")
    else:
        expect(current).to_have_attribute("value", step)
    no_errors(page)


def next_step(page: Page) -> None:
    page.locator("main form[method=post] button[name=next]").click()


def wait_for_autosave(page: Page) -> None:
    status = page.locator("#autosave-status")
    expect(status).to_have_text(SAVED_JUST_NOW)
    expect(status.get_by_role("alert")).to_have_count(0)


def approve(page: Page) -> None:
    page.locator("#id_confirmed").check()
    page.locator("main form[method=post]").get_by_role(
        "button", name=name("The patient approves the note", "Patienten godkender notatet")
    ).click()


def version_rows(page: Page):
    return page.get_by_test_id("versions").locator("tbody tr")


APPROVED = one_of("Approved by the patient", "Godkendt af patienten")


def test_peer_takes_a_referral_writes_a_note_with_the_patient_and_the_patient_approves(
    page: Page, live_server, screenshot
):
    today = timezone.localdate()
    referral = Referral.objects.get(patient_name=REFERRED[0], status=Referral.Status.PENDING)
    login(page, live_server, "peer")

    # The caseload: the referral from a colleague waits for an answer.
    page.goto(url(live_server, "/journal/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        name("My caseload", "Min sagsstamme", "Mine patienter")
    )
    waiting = page.get_by_test_id("waiting")
    item = waiting.locator("li", has=page.locator(f"a[href='{referral.get_absolute_url()}']"))
    expect(item).to_have_count(1)
    expect(item).to_contain_text(REFERRED[0])
    expect(item).to_contain_text(referral.referred_by.name)
    caseload = page.get_by_test_id("caseload")
    expect(caseload.locator("tbody tr").first).to_be_visible()
    expect(caseload).not_to_contain_text(REFERRED[0])
    screenshot(page, "journal-caseload")

    # The referral: accepted, with the patient's oral consent given today.
    item.get_by_role("link").click()
    expect(page).to_have_url(url(live_server, referral.get_absolute_url()))
    expect(page.get_by_role("heading", level=1)).to_contain_text(REFERRED[0])
    expect(page.locator("main")).to_contain_text(referral.reason)
    accept = page.locator(f"form[action='/journal/referrals/{referral.pk}/accept/']")
    accept.locator("input[name=consent_date]").fill(today.isoformat())
    accept.locator("select[name=consent_given]").select_option("orally")
    accept.locator("[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/journal/patients/\d+/$"))  # saved: the patient's page
    patient = Patient.objects.get(reference=REFERRED[1])
    expect(page).to_have_url(url(live_server, patient.get_absolute_url()))
    no_errors(page)
    expect(page.locator("main > div.alert.alert-success")).to_contain_text(REFERRED[0])
    expect(page.get_by_role("heading", level=1)).to_contain_text(REFERRED[0])
    expect(page.locator("main .alert-warning")).to_have_count(0)  # the consent is recorded
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert referral.patient == patient
    assert (patient.consent_date, patient.consent_given) == (today, "orally")
    assert patient.peers.get().staff_member.user.username == "peer"

    # Write a note together: the facts of today first.
    page.locator(f"main a[href='/journal/patients/{patient.pk}/notes/new/']").click()
    expect(page).to_have_url(url(live_server, f"/journal/patients/{patient.pk}/notes/new/"))
    expect(page.locator("input[name=date]")).to_have_value(today.isoformat())
    page.fill("input[name=minutes]", "60")
    page.select_option("select[name=place]", "ward")
    page.select_option("select[name=activity]", "conversation")
    page.locator("main form[method=post] [type=submit]").click()

    expect(page).to_have_url(re.compile(r"/write/\?step=connectedness$"))  # saved: co-writing
    note = Note.objects.get(patient=patient)
    assert note.status == Note.Status.DRAFT

    # The co-writing happens on a tablet the two share.
    page.set_viewport_size(TABLET)
    at_step(page, live_server, note, "connectedness")
    expect(page.locator("h1.cowrite-title")).to_have_text(name("Connectedness", "Forbundethed"))
    page.fill("#id_connectedness", CONNECTEDNESS)
    next_step(page)

    at_step(page, live_server, note, "hope")
    page.fill("#id_hope", HOPE)
    wait_for_autosave(page)
    assert note.versions.get().hope == HOPE  # saved while typing, before "next"
    screenshot(page, "journal-cowrite")
    next_step(page)

    for step in ("identity", "meaning"):
        at_step(page, live_server, note, step)
        expect(page.locator(f"#id_{step}")).to_have_value("")
        next_step(page)
    at_step(page, live_server, note, "empowerment")
    page.fill("#id_empowerment", EMPOWERMENT)
    next_step(page)
    at_step(page, live_server, note, "patient_words")
    next_step(page)
    at_step(page, live_server, note, "next_steps")
    page.fill("#id_next_steps", NEXT_STEPS)
    next_step(page)

    # Read it together: every word, under its heading; nothing from the empty steps.
    at_step(page, live_server, note, "approve")
    read = page.get_by_test_id("read-together")
    for section, text in (
        ("connectedness", CONNECTEDNESS),
        ("hope", HOPE),
        ("empowerment", EMPOWERMENT),
        ("next_steps", NEXT_STEPS),
    ):
        expect(read.locator(f"section[data-section={section}] p")).to_have_text(text)
    expect(read.locator("section[data-section]")).to_have_count(4)
    expect(page.locator("#id_confirmed")).not_to_be_checked()
    screenshot(page, "journal-approve")
    approve(page)

    # The note as it stands: final, version 1, approved by the patient.
    page.set_viewport_size(DESKTOP)
    expect(page).to_have_url(url(live_server, note.get_absolute_url()))
    no_errors(page)
    expect(page.locator("main > div.alert.alert-success")).to_have_count(1)
    expect(page.get_by_test_id("note-status")).to_have_text(name("Final", "Endelig"))
    expect(page.get_by_test_id("draft-box")).to_have_count(0)
    body = page.get_by_test_id("note-body")
    for text in (CONNECTEDNESS, HOPE, EMPOWERMENT, NEXT_STEPS):
        expect(body).to_contain_text(text)
    rows = version_rows(page)
    expect(rows).to_have_count(1)
    cells = rows.first.locator("td")
    expect(cells.nth(0)).to_have_text("1")
    expect(cells.nth(1)).to_have_text(APPROVED)
    expect(cells.nth(3)).not_to_have_text("–")
    expect(cells.nth(4)).to_have_text("Maria Sørensen")
    screenshot(page, "journal-note")

    note.refresh_from_db()
    assert note.status == Note.Status.FINAL
    version = note.current
    assert (version.number, version.status) == (1, NoteVersion.Status.APPROVED)
    assert (version.minutes, version.place, version.date) == (60, "ward", today)
    assert (version.connectedness, version.hope, version.next_steps) == (
        CONNECTEDNESS,
        HOPE,
        NEXT_STEPS,
    )
    assert version.approved_at is not None

    # Back on the caseload: the referral is answered, and the patient is on the list.
    page.goto(url(live_server, "/journal/"))
    expect(page.locator(f"a[href='{referral.get_absolute_url()}']")).to_have_count(0)
    row = page.get_by_test_id("caseload").locator("tbody tr", has_text=REFERRED[1])
    expect(row.locator("th")).to_contain_text(REFERRED[0])
    expect(row.locator("td").nth(2)).to_have_text("1")


def test_autosave_keeps_the_text_when_the_browser_is_closed(browser: Browser, live_server):
    note = peer_notes(status=Note.Status.DRAFT).get()
    draft = note.versions.get(status=NoteVersion.Status.DRAFT)
    text = "Vil gerne være frivillig i genbrugsbutikken om onsdagen. Det giver dagen et formål."
    assert draft.meaning != text
    path = write_url(note, "meaning")

    first = browser.new_context(viewport=TABLET, locale="da-DK")
    try:
        first.set_default_timeout(10_000)
        page = first.new_page()
        login(page, live_server, "peer")
        page.goto(url(live_server, path))
        at_step(page, live_server, note, "meaning")
        page.fill("#id_meaning", text)
        wait_for_autosave(page)
    finally:
        first.close()  # the tablet is closed: no "next", no "save and close"

    draft.refresh_from_db()
    assert draft.meaning == text
    assert draft.status == NoteVersion.Status.DRAFT

    second = browser.new_context(viewport=TABLET, locale="da-DK")
    try:
        second.set_default_timeout(10_000)
        page = second.new_page()
        login(page, live_server, "peer")
        page.goto(url(live_server, path))
        at_step(page, live_server, note, "meaning")
        expect(page.locator("#id_meaning")).to_have_value(text)
        # And it is the text the patient reads before approving.
        page.locator("button.cowrite-step[value=approve]").click()
        at_step(page, live_server, note, "approve")
        expect(
            page.get_by_test_id("read-together").locator("section[data-section=meaning] p")
        ).to_have_text(text)
    finally:
        second.close()


def test_leader_sees_statistics_but_cannot_open_a_note(page: Page, live_server, screenshot):
    note = peer_notes(status=Note.Status.FINAL).order_by("pk").first()
    assert note is not None
    login(page, live_server, "leder")

    # The statistics, from the Peer notes menu.
    nav = page.locator("nav.navbar")
    nav.get_by_role("button", name=name("Peer notes", "Peernotater")).click()
    item = nav.locator("a.dropdown-item[href='/journal/statistics/']")
    expect(item).to_be_visible()
    # A leader writes no notes: no caseload in the menu.
    expect(nav.locator("a.dropdown-item[href='/journal/']")).to_have_count(0)
    item.click()
    expect(page).to_have_url(url(live_server, "/journal/statistics/"))
    no_errors(page)

    total = page.get_by_test_id("total-conversations")
    expect(total).to_have_text(re.compile(r"^\s*\d+\s*$"))
    assert int(total.inner_text()) > 0
    for chart in ("month-chart", "chime-chart"):
        svg = page.get_by_test_id(chart)
        expect(svg).to_be_visible()
        heights = svg.locator("rect.chart-bar").evaluate_all(
            "bars => bars.map(bar => bar.getBBox().height)"
        )
        assert len(heights) == (12 if chart == "month-chart" else 5), heights
        assert max(heights) > 0, (chart, heights)
    months = page.get_by_test_id("months")
    expect(months).to_be_visible()
    expect(months.locator("tbody tr")).to_have_count(12)
    conversations = [int(n) for n in months.locator("tbody tr td:nth-child(2)").all_inner_texts()]
    assert sum(conversations) == int(total.inner_text())
    load = page.get_by_test_id("load")
    expect(load).to_be_visible()
    expect(load.locator("tbody tr th")).to_contain_text(["Maria Sørensen"])
    main = page.locator("main")
    for sentence in DEMO_SENTENCES:
        expect(main).not_to_contain_text(sentence)
    screenshot(page, "journal-statistics")

    # A note of her peer worker: not found, and nothing of it shows.
    response = page.goto(url(live_server, note.get_absolute_url()))
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(
        name("We could not find that page", "Vi kunne ikke finde siden")
    )
    assert "Hunden giver struktur" not in page.content()
    for sentence in DEMO_SENTENCES:
        expect(page.locator("body")).not_to_contain_text(sentence)
    # Nor the patient, the co-writing screen or the patient's print.
    for path in (
        note.patient.get_absolute_url(),
        write_url(note, "hope"),
        f"/journal/notes/{note.pk}/versions/1/",
        f"/journal/notes/{note.pk}/copy/",
    ):
        response = page.goto(url(live_server, path))
        assert response.status == 404, path
        for sentence in DEMO_SENTENCES:
            assert sentence not in page.content(), (path, sentence)


def test_changing_a_final_note_needs_a_new_approval(page: Page, live_server, screenshot):
    note = next(
        n
        for n in peer_notes(status=Note.Status.FINAL, concern=False).order_by("-created_at")
        if n.versions.count() == 1 and n.current.connectedness
    )
    before = note.current
    changed = "Har ringet til sin søster to gange denne uge, og de skal i biografen sammen."
    login(page, live_server, "peer")

    page.goto(url(live_server, note.get_absolute_url()))
    expect(page.get_by_test_id("note-status")).to_have_text(name("Final", "Endelig"))
    expect(version_rows(page)).to_have_count(1)
    page.locator(f"form[action='/journal/notes/{note.pk}/change/'] [type=submit]").click()

    # A new draft, copied from the note as it stands.
    at_step(page, live_server, note, "connectedness")
    box = page.locator("#id_connectedness")
    expect(box).to_have_value(before.connectedness)
    box.fill(changed)
    next_step(page)
    at_step(page, live_server, note, "hope")
    expect(page.locator("#id_hope")).to_have_value(before.hope)

    # Until the patient approves, the note stands as it was.
    page.goto(url(live_server, note.get_absolute_url()))
    expect(page.get_by_test_id("draft-box")).to_be_visible()
    expect(page.get_by_test_id("note-body")).to_contain_text(before.connectedness)
    expect(page.get_by_test_id("note-body")).not_to_contain_text(changed)
    expect(version_rows(page)).to_have_count(2)
    expect(version_rows(page).nth(1).locator("td").nth(3)).to_have_text("–")

    # The patient reads the change and approves it.
    page.goto(url(live_server, write_url(note, "approve")))
    at_step(page, live_server, note, "approve")
    read = page.get_by_test_id("read-together")
    expect(read.locator("section[data-section=connectedness] p")).to_have_text(changed)
    if before.next_steps:
        expect(read.locator("section[data-section=next_steps] p")).to_have_text(before.next_steps)
    approve(page)

    expect(page).to_have_url(url(live_server, note.get_absolute_url()))
    no_errors(page)
    expect(page.get_by_test_id("note-status")).to_have_text(name("Final", "Endelig"))
    expect(page.get_by_test_id("draft-box")).to_have_count(0)
    expect(page.get_by_test_id("note-body")).to_contain_text(changed)
    rows = version_rows(page)
    expect(rows).to_have_count(2)
    for n in range(2):
        expect(rows.nth(n).locator("td").nth(0)).to_have_text(str(n + 1))
        expect(rows.nth(n).locator("td").nth(3)).not_to_have_text("–")
    expect(rows.nth(1).locator("td").nth(1)).to_have_text(APPROVED)

    note.refresh_from_db()
    assert note.status == Note.Status.FINAL
    assert (note.current.number, note.current.connectedness) == (2, changed)
    assert note.current.approved_at > before.approved_at
    before.refresh_from_db()
    assert before.connectedness != changed

    # Version 1 keeps its words, in the history.
    rows.nth(0).get_by_role("link").click()
    expect(page).to_have_url(url(live_server, f"/journal/notes/{note.pk}/versions/1/"))
    old = page.locator("article.note-body")
    expect(old.locator("section[data-section=connectedness] p")).to_have_text(before.connectedness)
    expect(old).not_to_contain_text(changed)
