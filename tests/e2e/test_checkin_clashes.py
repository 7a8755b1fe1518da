"""A check-in that clashes, in a real browser: the mentorship page says so, the mentor opens
the proposal (checked by axe-core at laptop and phone width) and moves it in one action."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from education import services as education_services
from mentoring.models import CheckIn, Mentorship

from .conftest import DESKTOP, login
from .test_accessibility import AXE_OPTIONS, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]


def test_the_mentor_moves_a_check_in_that_clashes_with_a_supervision(
    page: Page, live_server, screenshot
):
    mentorship = (
        Mentorship.objects.filter(mentor__user__username="mentor", end_date__isnull=True)
        .select_related("peer")
        .first()
    )
    assert mentorship is not None
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    checkin = (
        mentorship.checkins.filter(status=CheckIn.Status.PLANNED, date__gt=tomorrow)
        .order_by("date")
        .first()
    )
    assert checkin is not None
    start = checkin.starts_at()
    education_services.supervision_create(
        by=get_user_model().objects.get(username="center"),
        participants=[mentorship.peer],
        starts_at=start - datetime.timedelta(minutes=15),
        ends_at=start + datetime.timedelta(minutes=45),
        supervisor="Susanne Supervisor",
    )
    old_day = checkin.date

    login(page, live_server, "mentor")
    page.goto(live_server.url + mentorship.get_absolute_url())
    notice = page.get_by_test_id("clash-notice")
    expect(notice).to_contain_text("falder sammen med noget andet")
    expect(page.locator(f"#checkin-{checkin.pk}")).to_contain_text("Falder sammen med: Supervision")
    notice.get_by_role("link").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sparringsmøder, der falder sammen med andet"
    )
    table = page.get_by_test_id("clashes")
    expect(table).to_contain_text("Supervision")
    new_day = page.locator("input[name='move-0-new_date']")
    proposed = datetime.date.fromisoformat(new_day.input_value())
    assert proposed != old_day and proposed.weekday() < 5
    for name, viewport in (("laptop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.evaluate(
            "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
        )
        result = Axe().run(page, options=AXE_OPTIONS)
        assert result.response["violations"] == [], name
        screenshot(page, f"checkin-clashes-{name}")
    page.set_viewport_size(DESKTOP)

    page.get_by_role("button", name="Flyt de afkrydsede sparringsmøder").click()
    expect(page.locator(".alert-success")).to_contain_text("sparringsmøde er flyttet")
    checkin.refresh_from_db()
    assert (checkin.date, checkin.moved_from) == (proposed, old_day)
    expect(page.get_by_test_id("clash-notice")).to_have_count(0)
