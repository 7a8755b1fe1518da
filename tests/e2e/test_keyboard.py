"""The keyboard journeys: a checklist task ticked, a check-in logged and a refused form put
right with the keyboard only, the focus visible at every step, kept where the work is
after an in-place change, and each change said aloud (the page's live region)."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from journal.models import Note
from mentoring.models import CheckIn
from recruitment.models import ChecklistItem, Onboarding

from .conftest import login
from .test_accessibility import AXE_OPTIONS

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

# What the focused element looks like: its outline, and the page behind it.
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {id: el.id, tag: el.tagName, outline: style.outlineStyle,
          width: parseFloat(style.outlineWidth), color: style.outlineColor};
}"""


def tab_to(page: Page, selector: str, limit: int = 150) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never took the focus in {limit} Tabs")


def settled(page: Page) -> None:
    """htmx has finished an in-place change (and made the new content work)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def focus_is_visible(page: Page) -> dict:
    style = page.evaluate(FOCUS_STYLE)
    assert style["outline"] == "solid" and style["width"] >= 3, style
    return style


def test_a_checklist_task_is_ticked_with_the_keyboard_and_the_focus_stays_on_it(
    page: Page, live_server
):
    login(page, live_server, "leder")
    onboarding = Onboarding.objects.filter(unit__leader__user__username="leder").first()
    page.goto(live_server.url + reverse("recruitment:checklist", args=[onboarding.pk]))
    tab_to(page, "button[aria-pressed=false][id^=toggle-]")
    style = focus_is_visible(page)
    pk = int(style["id"].removeprefix("toggle-"))
    item = ChecklistItem.objects.get(pk=pk)
    page.keyboard.press("Enter")

    button = page.locator(f"#toggle-{pk}")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_be_focused()
    focus_is_visible(page)
    expect(page.locator("#live-status")).to_have_text(f"“{item.title}” er markeret som udført.")
    item.refresh_from_db()
    assert item.done_on is not None

    settled(page)
    page.keyboard.press("Space")  # and back again, still on the same button
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button).to_be_focused()
    expect(page.locator("#live-status")).to_have_text(
        f"“{item.title}” er ikke længere markeret som udført."
    )


def test_a_check_in_is_logged_with_the_keyboard_and_the_focus_moves_to_its_row(
    page: Page, live_server
):
    login(page, live_server, "mentor")
    checkin = (
        CheckIn.objects.filter(
            mentorship__mentor__user__username="mentor", status=CheckIn.Status.PLANNED
        )
        .order_by("date")
        .first()
    )
    assert checkin is not None
    CheckIn.objects.filter(pk=checkin.pk).update(date=timezone.localdate())  # due today
    page.goto(live_server.url + checkin.mentorship.get_absolute_url())
    tab_to(page, f"#checkin-{checkin.pk} button[type=submit]")
    focus_is_visible(page)
    page.keyboard.press("Enter")

    row = page.locator(f"#checkin-{checkin.pk}")
    expect(row.locator(".badge.text-bg-success")).to_be_visible()
    expect(row).to_be_focused()
    expect(page.locator("#live-status")).to_contain_text("er logget som holdt")
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.HELD


def test_a_refused_form_opens_on_its_error_summary_with_a_link_to_each_field(
    page: Page, live_server
):
    login(page, live_server, "leder")
    page.goto(live_server.url + reverse("recruitment:vacancy_create"))
    title = page.title()
    page.locator("main form button[type=submit]").last.click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Fejl: "))
    assert page.title() == f"Fejl: {title}"
    links = summary.locator("a[data-error-link]")
    assert links.count() >= 2
    # Every field with an error is in the summary, once, in the order of the form.
    invalid = page.locator("main .is-invalid").evaluate_all("els => els.map(e => e.id)")
    targets = links.evaluate_all("els => els.map(a => a.getAttribute('href').slice(1))")
    assert targets == [t for t in invalid if t in targets] and set(invalid) <= set(targets)

    # Tab from the summary to its first link, Enter: the focus is in that field.
    page.keyboard.press("Tab")
    expect(links.first).to_be_focused()
    focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator(f"#{targets[0]}")).to_be_focused()

    result = Axe().run(page, options=AXE_OPTIONS)
    assert result.response["violations"] == []


def test_a_note_is_co_written_and_approved_with_the_keyboard_only(page: Page, live_server):
    note = Note.objects.filter(
        peer__staff_member__user__username="peer", status=Note.Status.DRAFT
    ).first()
    assert note is not None
    login(page, live_server, "peer")
    page.goto(live_server.url + f"/journal/notes/{note.pk}/write/?step=connectedness")
    for step in ["connectedness", "hope", "identity", "meaning", "empowerment"]:
        box = page.locator(f"#id_{step}")
        expect(box).to_be_focused()  # each step starts in its text box
        focus_is_visible(page)
        label = page.locator("h1.cowrite-title").inner_text()
        assert page.title().startswith(f"{label} (trin "), page.title()
        page.keyboard.press("End")
        page.keyboard.type(" Skrevet med tastaturet.")
        tab_to(page, "button[name=next]")
        focus_is_visible(page)
        page.keyboard.press("Enter")
    for step in ["patient_words", "next_steps"]:
        expect(page.locator(f"#id_{step}")).to_be_focused()
        tab_to(page, "button[name=next]")
        page.keyboard.press("Enter")

    # The approve step: "approve" without the tick is refused, on the tick box.
    expect(page.locator("h1.cowrite-title")).to_have_text("Læs og godkend")
    tab_to(page, "main form[method=post] button[type=submit]")
    page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(summary.locator("a[href='#id_confirmed']")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#id_confirmed")).to_be_focused()
    expect(page.locator("#id_confirmed")).to_have_attribute(
        "aria-describedby", "id_confirmed_error"
    )
    page.keyboard.press("Space")
    tab_to(page, "main form[method=post] button[type=submit]")
    focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("note-status")).to_have_text("Endelig")
    note.refresh_from_db()
    assert note.status == Note.Status.FINAL
    assert "Skrevet med tastaturet." in note.current.hope
