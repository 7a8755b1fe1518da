"""The Content-Security-Policy breaks nothing: Chromium opens the main pages of each role on
the demo data without a word about the policy and without a script error, htmx still
saves and swaps, Bootstrap's menus still open, and a PDF still shows in the viewer.

Three ears: the console (Chromium writes every refused script, style or load there), the
page's `securitypolicyviolation` events, and uncaught script errors.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from education.models import Cohort
from journal.models import Note, NoteVersion
from peerprogram.models import StaffMember, Unit
from recruitment.models import Onboarding

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile || "the page"}:${event.lineNumber})`
  );
});
"""
# The autosave answers with the time to the second.
SAVED_JUST_NOW = re.compile(r"\b\d{1,2}[:.]\d{2}[:.]\d{2}\b")


class PolicyWatch:
    """What the browser says about the policy, and every uncaught script error."""

    def __init__(self, page: Page, live_server):
        self.page = page
        self.base = live_server.url
        self.problems: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: {error}"))

    def _console(self, message) -> None:
        if re.search("Content.Security.Policy", message.text, re.IGNORECASE):
            self.problems.append(f"{self.page.url}: {message.type}: {message.text}")

    def visit(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, path
        self.listen()

    def listen(self) -> None:
        """Collect what the page reported so far."""
        self.page.wait_for_load_state("load")
        violations = self.page.evaluate("window.__violations ? window.__violations.splice(0) : []")
        self.problems += [f"{self.page.url}: {violation}" for violation in violations]

    def open_menu(self, english: str) -> None:
        """Open a navbar dropdown: Bootstrap places it with Popper (styles set by script)."""
        with translation.override("da"):
            name = gettext(english)
        toggle = self.page.locator("nav .dropdown-toggle", has_text=name).first
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        self.listen()

    def shows_pdf(self, path: str) -> None:
        """A PDF opens in Chromium's viewer, which a policy can block (crbug.com/271452)."""
        with self.page.expect_event(
            "framenavigated", predicate=lambda f: f.url.startswith("chrome-extension://")
        ):
            response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, path
        headers = response.all_headers()  # .headers holds what Chromium's viewer made of them
        assert headers["content-type"] == "application/pdf"
        assert "default-src 'self'" in headers["content-security-policy"]


def test_chromium_enforces_the_policy_and_the_watch_hears_it(page: Page, live_server):
    watch = PolicyWatch(page, live_server)
    watch.visit(reverse("login"))
    assert watch.problems == []

    page.evaluate("document.body.setAttribute('style', 'background: rgb(255, 0, 0)')")
    page.evaluate(
        "const s = document.createElement('script');"
        "s.textContent = 'window.inlineRan = true'; document.body.append(s)"
    )
    watch.listen()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    assert page.evaluate("window.inlineRan === undefined")
    heard = "\n".join(watch.problems)
    assert "style-src-attr refused inline" in heard
    assert "script-src-elem refused inline" in heard
    assert "violates the following Content Security Policy directive" in heard  # the console


def test_leader_pages_keep_to_the_policy(page: Page, live_server):
    watch = PolicyWatch(page, live_server)
    login(page, live_server, "leder")
    watch.listen()
    onboarding = Onboarding.objects.filter(unit__leader__user__username="leder").first()
    assert onboarding is not None
    for path in [
        reverse("peerprogram:home"),
        reverse("peerprogram:staff_list"),
        reverse("peerprogram:peer_list"),
        reverse("recruitment:vacancy_list"),
        reverse("recruitment:checklist_overview"),
        reverse("mentoring:overview"),
        reverse("education:calendar"),
        reverse("journal:statistics"),
    ]:
        watch.visit(path)
    watch.open_menu("Education")

    # A checklist item ticked in place: htmx posts and swaps the row.
    watch.visit(reverse("recruitment:checklist", args=[onboarding.pk]))
    form = page.locator("form[hx-post$='/toggle/']").first
    row_id = form.evaluate("f => f.closest('tr').id")
    pressed = form.locator("button[type=submit]").get_attribute("aria-pressed")
    form.locator("button[type=submit]").click()
    flipped = "false" if pressed == "true" else "true"
    expect(page.locator(f"#{row_id} button[type=submit]")).to_have_attribute(
        "aria-pressed", flipped
    )
    watch.listen()

    watch.shows_pdf(reverse("recruitment:onboarding_pdf", args=[onboarding.pk]))
    assert watch.problems == []


def test_centre_pages_keep_to_the_policy(page: Page, live_server):
    watch = PolicyWatch(page, live_server)
    login(page, live_server, "center")
    watch.listen()
    cohort = Cohort.objects.order_by("start_date").last()
    assert cohort is not None
    for path in [
        reverse("peerprogram:home"),
        reverse("peerprogram:unit_list"),
        reverse("education:cohort_list"),
        reverse("education:cohort_detail", args=[cohort.pk]),
        reverse("education:group_list"),
        reverse("education:calendar"),
        reverse("recruitment:checklist_template"),
        reverse("journal:statistics"),
    ]:
        watch.visit(path)
    watch.open_menu("Centre")
    assert watch.problems == []


def test_peer_pages_keep_to_the_policy_and_the_autosave_still_saves(page: Page, live_server):
    watch = PolicyWatch(page, live_server)
    login(page, live_server, "peer")
    watch.listen()
    note = Note.objects.get(peer__staff_member__user__username="peer", status=Note.Status.DRAFT)
    for path in [
        reverse("peerprogram:home"),
        reverse("journal:caseload"),
        reverse("journal:patient_detail", args=[note.patient.pk]),
        reverse("journal:group_note_list"),
        reverse("education:calendar"),
    ]:
        watch.visit(path)

    # The note writing screen: what is typed is saved by htmx while typing.
    text = "Vil gerne i gang med at male igen. Har købt pensler."
    watch.visit(reverse("journal:note_write", args=[note.pk]) + "?step=meaning")
    page.fill("#id_meaning", text)
    expect(page.locator("#autosave-status")).to_have_text(SAVED_JUST_NOW)
    watch.listen()
    assert note.versions.get(status=NoteVersion.Status.DRAFT).meaning == text

    watch.shows_pdf(reverse("journal:patient_pdf", args=[note.patient.pk]))
    assert watch.problems == []


def test_django_admin_pages_keep_to_the_policy(page: Page, live_server):
    watch = PolicyWatch(page, live_server)
    login(page, live_server, "admin")
    watch.listen()
    staff = StaffMember.objects.filter(unit__isnull=False).first()
    unit = Unit.objects.first()
    for path in [
        reverse("admin:index"),
        reverse("admin:peerprogram_staffmember_changelist"),
        reverse("admin:peerprogram_staffmember_change", args=[staff.pk]),
        reverse("admin:peerprogram_unit_change", args=[unit.pk]),
        reverse("admin:peerprogram_auditevent_changelist"),
    ]:
        watch.visit(path)
    # The unit's leader is chosen with the admin's autocomplete (select2).
    page.goto(live_server.url + reverse("admin:peerprogram_unit_change", args=[unit.pk]))
    page.locator(".field-leader .select2-selection").click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    watch.listen()
    # The export page's "Select all" toggle (our template override binds it without inline
    # script) clears and sets every field box.
    watch.visit(reverse("admin:peerprogram_staffmember_export"))
    boxes = page.locator('.selectable-field-export-row input[type="checkbox"]')
    page.locator("input.select-toggle").first.uncheck()
    expect(boxes.first).not_to_be_checked()
    page.locator("input.select-toggle").first.check()
    expect(boxes.first).to_be_checked()
    watch.listen()
    assert watch.problems == []
