"""The first years in a real browser: the leader arranges supervision for the demo peer
worker and plans her next follow-up talk at a time, which then stands in the leader's
calendar; the mentor finds the checklist task the leader handed him. Screenshots for the
README."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from employment import selectors
from peerprogram.models import PeerWorker

from .conftest import DESKTOP, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

PHONE = {"width": 390, "height": 844}


def _next_weekday(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7 or 7)


def test_leader_arranges_supervision_and_plans_a_talk_that_stands_in_the_calendar(
    page: Page, live_server, screenshot
):
    maria = PeerWorker.objects.get(staff_member__name="Maria Sørensen")
    today = timezone.localdate()
    login(page, live_server, "leder")
    page.goto(f"{live_server.url}{maria.get_absolute_url()}")

    # Supervision every six weeks with an outside supervisor, arranged by the leader.
    page.get_by_test_id("peer-supervision").get_by_role("link", name="Planlæg supervision").click()
    first = _next_weekday(today, 1)  # a Tuesday
    page.select_option("#id_participants", str(maria.pk))
    page.fill("#id_date", first.isoformat())
    page.fill("#id_start_time", "13:00")
    page.fill("#id_end_time", "14:30")
    page.fill("#id_repeat_weeks", "6")
    page.fill("#id_sessions", "4")
    page.fill("#id_supervisor", "Anne Lund")
    page.fill("#id_supervisor_organisation", "Psykologhuset Nord")
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_text("Supervisionen er planlagt.")).to_be_visible()
    page.goto(f"{live_server.url}{maria.get_absolute_url()}")
    card = page.get_by_test_id("peer-supervision")
    next_supervision = selectors_next_supervision(maria)
    expect(card).to_contain_text(f"Næste: {next_supervision.day}. ")
    screenshot(page, "peer-supervision")

    # The next follow-up talk, planned for a day and a time.
    page.get_by_test_id("peer-follow-up").get_by_role("link").click()
    page.get_by_test_id("talks-due").get_by_role(
        "link", name="Planlæg, flyt eller aflys"
    ).first.click()
    due = selectors.follow_up_of(maria).follow_up
    day = due.computed if due.computed > today else today + datetime.timedelta(days=2)
    page.fill("#id_date", day.isoformat())
    page.fill("#id_time", "10:00")
    if day != due.computed:
        page.fill("#id_reason", "Lagt efter teammødet")
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_text("Samtalen er planlagt.")).to_be_visible()
    expect(page.get_by_test_id("talks-due")).to_contain_text("kl. 10:00")

    page.goto(f"{live_server.url}/education/calendar/?year={day.year}&month={day.month}")
    entry = page.locator("a.cal-entry.kind-talk", has_text="10:00 Opfølgning: Maria")
    expect(entry).to_have_count(1)
    expect(entry).to_have_attribute("title", "Opfølgningssamtale: Maria Sørensen")
    screenshot(page, "leader-calendar-talks")
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("heading", name="Kommende")).to_be_visible()
    page.set_viewport_size(DESKTOP)


def selectors_next_supervision(peer: PeerWorker) -> datetime.date:
    from education.selectors import supervision_of

    nxt = supervision_of(peer).next
    assert nxt is not None
    return timezone.localdate(nxt.starts_at)


def test_the_mentor_finds_the_task_the_leader_handed_him(page: Page, live_server, screenshot):
    login(page, live_server, "mentor")
    todo = page.get_by_test_id("todo")
    todo.get_by_role("link", name="1 opgave fra en tjekliste er givet til dig").click()
    expect(page.get_by_role("main")).to_contain_text("Oplæring i dokumentation efter CHIME")
    screenshot(page, "mentor-delegated-tasks")
