"""The mentoring journey in a real browser: a leader appoints a mentor for a new peer worker
from a ranked list, the mentor logs check-ins (one click, and the full form), the leader
follows the health of the mentorship; the peer worker sees their own, outsiders see nothing.

Mentoring wording is still being translated, so the assertions lean on URLs, form field
names, data-testid hooks, names from the demo data and the database. Where a sentence must be
checked, it is looked up in the Danish catalogue the server itself uses.
"""

import datetime
import re
import zoneinfo

import icalendar
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from mentoring.models import CheckIn, Mentorship
from peerprogram import services as core_services
from peerprogram.models import StaffMember, Unit

from .conftest import log_out as conftest_log_out
from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

UNIT = "F-ACT Aalborg Øst"
NEW_PEER = "Nanna Ny"
NOTE = "Vi talte om rutiner"
COPENHAGEN = zoneinfo.ZoneInfo("Europe/Copenhagen")


def url(live_server, path: str) -> str:
    return f"{live_server.url}{path}"


def log_out(page: Page, live_server) -> None:
    page.goto(url(live_server, "/"))
    conftest_log_out(page)


def danish(message: str) -> str:
    """A sentence as the Danish page shows it (English while it is untranslated)."""
    with translation.override("da"):
        return gettext(message)


def submit_main_form(page: Page) -> None:
    page.locator("main form[method=post] button[type=submit]").click()


def overview_row(page: Page, name: str):
    """The row of the peer worker's mentor (a buddy has a row of their own)."""
    rows = page.get_by_test_id("mentoring-overview").locator("tbody tr", has_text=name)
    return rows.filter(has_not_text="(buddy)")


def share_text(held: int, due: int) -> re.Pattern:
    """The overview's "Held" cell, e.g. "67 % (2/3)"."""
    return re.compile(rf"^\s*{round(100 * held / due)}\s*%\s*\(\s*{held}\s*/\s*{due}\s*\)\s*$")


def checkin_row(page: Page, checkin: CheckIn):
    return page.locator(f"li#checkin-{checkin.pk}[data-testid=checkin]")


def test_leader_assigns_a_mentor_the_mentor_logs_a_check_in_and_the_leader_sees_the_health_move(
    page: Page, live_server, screenshot
):
    today = timezone.localdate()
    start = today - datetime.timedelta(days=21)
    # A weekday that has already come round three or four times since the start.
    week_ago = (today - datetime.timedelta(days=7)).weekday()
    weekday = week_ago if week_ago <= 4 else 0
    first = start + datetime.timedelta(days=(weekday - start.weekday()) % 7)
    due_dates = [
        first + datetime.timedelta(weeks=n)
        for n in range(5)
        if first + datetime.timedelta(weeks=n) <= today
    ]
    due = len(due_dates)
    assert due >= 2

    leader_user = get_user_model().objects.get(username="leder")
    unit = Unit.objects.get(name=UNIT)
    peer = core_services.peer_create(
        by=leader_user,
        name=NEW_PEER,
        email="nanna.ny@example.org",
        unit=unit,
        start_date=start,
        hours_per_week=25,
        employment_form="permanent",
    )
    mikkel = StaffMember.objects.get(name="Mikkel Dahl")
    sara = StaffMember.objects.get(name="Sara Holm")
    assign_path = f"/mentoring/peers/{peer.pk}/mentor/"

    # The leader finds the way from the peer worker's page.
    login(page, live_server, "leder")
    page.goto(url(live_server, f"/peers/{peer.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_PEER)
    page.locator(f"main a[href='{assign_path}']").click()
    expect(page).to_have_url(url(live_server, assign_path))

    candidates = page.get_by_test_id("candidates")
    options = candidates.locator("label")
    expect(options.first).to_be_visible()
    names = [n.strip() for n in candidates.locator("label strong").all_inner_texts()]
    # Everyone in the unit but the peer worker; Mikkel Dahl attended the Centre's mentor
    # introduction and has mentored before (and has room for one more mentee), so he is
    # the best match without a preference.
    for name in ["Mikkel Dahl", "Sara Holm", "Jonas Bech", "Ida Rasmussen"]:
        assert name in names
    assert NEW_PEER not in names
    assert names[0] == "Mikkel Dahl"
    expect(options.first.locator(".badge")).to_have_count(1)
    expect(candidates.locator(".badge")).to_have_count(1)
    mikkel_option = options.filter(has=page.locator(f"input[value='{mikkel.pk}']"))
    expect(mikkel_option).to_contain_text(danish("attended the Centre's mentor introduction"))

    # A preference for a psychologist ranks the list again.
    page.select_option("select[name=prefer]", "psychologist")
    page.locator("main form[method=get] button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(assign_path)}\?prefer=psychologist$"))
    expect(page.locator("select[name=prefer]")).to_have_value("psychologist")
    preference = danish("the profession you prefer")
    best = options.first
    expect(best.locator(".badge.text-bg-success")).to_be_visible()
    expect(best).to_contain_text(preference)
    sara_option = options.filter(has=page.locator(f"input[value='{sara.pk}']"))
    expect(sara_option).to_contain_text(preference)
    expect(sara_option).to_contain_text(danish("has no mentee now"))
    # The psychologists come first, each with the preference among the reasons. (The unit's
    # leader, Lone Kjærgaard, is a psychologist too and is offered as well: see the report.)
    preferred = [preference in text for text in options.all_inner_texts()]
    assert preferred == sorted(preferred, reverse=True), preferred
    ranked = [n.strip() for n in candidates.locator("label strong").all_inner_texts()]
    assert ranked.index("Sara Holm") < preferred.count(True), ranked
    assert ranked.index("Mikkel Dahl") >= preferred.count(True), ranked

    # The leader chooses Mikkel Dahl all the same: the list only suggests.
    page.check(f"input[name=mentor][value='{mikkel.pk}']")
    page.fill("input[name=start_date]", start.isoformat())
    page.select_option("select[name=weekday]", str(weekday))
    page.fill("input[name=meeting_time]", "10:00")
    expect(page.locator(f"input[name=mentor][value='{mikkel.pk}']")).to_be_checked()
    page.locator("input[name=meeting_time]").blur()
    screenshot(page, "mentoring-assign")
    submit_main_form(page)

    mentorship = Mentorship.objects.get(peer=peer, end_date__isnull=True)
    mentorship_path = f"/mentoring/mentorships/{mentorship.pk}/"
    expect(page).to_have_url(url(live_server, mentorship_path))
    assert mentorship.mentor == mikkel
    assert mentorship.start_date == start
    assert mentorship.weekday == weekday
    assert mentorship.meeting_time == datetime.time(10, 0)
    assert sorted(mentorship.checkins.filter(date__lte=today).values_list("date", flat=True)) == (
        due_dates
    )
    expect(page.locator("main .alert-success")).to_contain_text("Mikkel Dahl")
    health = page.get_by_test_id("health")
    expect(health.get_by_test_id("share-held")).to_have_text(re.compile(r"^\s*0\s*%\s*$"))
    expect(health).to_contain_text(re.compile(rf"\b0\b\D+\b{due}\b"))
    expect(page.locator("main .alert-warning[role=alert]")).to_have_text(
        danish("No check-in held since the start.")
    )

    # The leader's overview: the new mentorship with nothing held yet, and a warning.
    page.goto(url(live_server, "/mentoring/"))
    row = overview_row(page, NEW_PEER)
    expect(row).to_have_count(1)
    expect(row).to_have_class(re.compile(r"\btable-warning\b"))
    expect(row.get_by_test_id("share")).to_have_text(share_text(0, due))
    expect(row).to_contain_text("Mikkel Dahl")
    log_out(page, live_server)

    # The mentor finds the new mentee on the home page.
    login(page, live_server, "mentor")
    mentees = page.get_by_test_id("mentees")
    expect(mentees).to_contain_text(NEW_PEER)
    expect(mentees).to_contain_text("Maria Sørensen")
    mentees.get_by_role("link", name=NEW_PEER).click()
    expect(page).to_have_url(url(live_server, mentorship_path))

    oldest, newest = (mentorship.checkins.get(date=d) for d in (due_dates[0], due_dates[-1]))
    # Due check-ins not logged: the ones before today sit in the history, today's is coming.
    for c in (oldest, newest):
        where = "upcoming" if c.date == today else "past"
        expect(page.get_by_test_id(where).locator(f"#checkin-{c.pk}")).to_have_count(1)
    if oldest.date < today:
        expect(checkin_row(page, oldest).locator(".badge.text-bg-warning")).to_be_visible()

    # One click: held. The row is swapped in place; the page is not loaded again.
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.__stillTheSamePage = true")
    row = checkin_row(page, oldest)
    row.locator("form[action$='/held/'] button[type=submit]").click()
    expect(row.locator(".badge.text-bg-success")).to_be_visible()
    expect(row.locator("form[action$='/held/']")).to_have_count(0)
    assert page.evaluate("window.__stillTheSamePage") is True
    assert page.url == url(live_server, mentorship_path)
    oldest.refresh_from_db()
    assert oldest.status == CheckIn.Status.HELD
    assert oldest.logged_by.username == "mentor"

    # The full form for the newest due check-in: held, two topics and a note.
    log_path = f"/mentoring/checkins/{newest.pk}/log/"
    checkin_row(page, newest).locator(f"a[href='{log_path}']").click()
    expect(page).to_have_url(url(live_server, log_path))
    page.check("input[name=outcome][value=held]")
    page.check("input[name=topics][value=routines]")
    page.check("input[name=topics][value=staff_group]")
    page.fill("textarea[name=note]", NOTE)
    submit_main_form(page)

    expect(page).to_have_url(url(live_server, mentorship_path))
    expect(page.locator("main .alert-success")).to_be_visible()
    row = checkin_row(page, newest)
    expect(row.locator(".badge.text-bg-success")).to_be_visible()
    expect(row).to_contain_text(NOTE)
    newest.refresh_from_db()
    assert newest.status == CheckIn.Status.HELD
    assert sorted(newest.topics) == ["routines", "staff_group"]
    assert newest.note == NOTE
    expect(health.get_by_test_id("share-held")).to_have_text(
        re.compile(rf"^\s*{round(200 / due)}\s*%\s*$")
    )
    # The last held check-in is at most a week old: no warning any more.
    expect(page.locator("main .alert-warning[role=alert]")).to_have_count(0)
    screenshot(page, "mentoring-mentorship")
    log_out(page, live_server)

    # The leader sees the share go up, but not what the two talked about.
    login(page, live_server, "leder")
    page.goto(url(live_server, "/mentoring/"))
    row = overview_row(page, NEW_PEER)
    expect(row.get_by_test_id("share")).to_have_text(share_text(2, due))
    expect(row).not_to_have_class(re.compile(r"\btable-warning\b"))
    row.get_by_role("link", name=NEW_PEER).click()
    expect(page).to_have_url(url(live_server, mentorship_path))
    expect(checkin_row(page, newest).locator(".badge.text-bg-success")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(NOTE)
    # Logging is for the two of them.
    expect(page.locator("main form[action$='/held/']")).to_have_count(0)
    expect(page.locator("main a[href$='/log/']")).to_have_count(0)
    assert page.request.get(url(live_server, log_path)).status == 404
    log_out(page, live_server)

    # The Centre sees every unit; the mentorships with a warning come first.
    login(page, live_server, "center")
    page.goto(url(live_server, "/mentoring/"))
    table = page.get_by_test_id("mentoring-overview")
    expect(overview_row(page, NEW_PEER)).to_have_count(1)
    for name in ["Lasse Vinther", "Benjamin Kofoed"]:
        expect(overview_row(page, name)).to_have_class(re.compile(r"\btable-warning\b"))
    warned = [
        "table-warning" in (c or "")
        for c in table.locator("tbody tr").evaluate_all("rows => rows.map(r => r.className)")
    ]
    assert warned == sorted(warned, reverse=True), warned
    assert any(warned) and not all(warned), warned
    screenshot(page, "mentoring-overview")


def test_peer_sees_their_mentor_and_check_ins_but_an_outsider_does_not(page: Page, live_server):
    mentorship = Mentorship.objects.get(
        peer__staff_member__name="Maria Sørensen", end_date__isnull=True
    )
    mentorship_path = f"/mentoring/mentorships/{mentorship.pk}/"
    login(page, live_server, "peer")
    own = page.get_by_test_id("own-mentoring")
    expect(own).to_have_count(1)
    own.locator(f"a[href='{mentorship_path}']").click()
    expect(page).to_have_url(url(live_server, mentorship_path))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mikkel Dahl")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Maria Sørensen")
    checkins = page.locator("[data-testid=upcoming] li[data-testid=checkin]")
    history = page.locator("[data-testid=past] li[data-testid=checkin]")
    expect(checkins.first).to_be_visible()
    expect(history.first).to_be_visible()
    # The latest held check-in is in the history.
    last_held = mentorship.checkins.filter(status="held").latest("date")
    expect(
        page.get_by_test_id("past").locator(f"#checkin-{last_held.pk} .badge.text-bg-success")
    ).to_be_visible()
    log_out(page, live_server)

    login(page, live_server, "leder2")
    response = page.goto(url(live_server, mentorship_path))
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(danish("We could not find that page"))
    expect(page.locator("main")).not_to_contain_text("Maria Sørensen")
    response = page.goto(url(live_server, f"{mentorship_path}calendar.ics"))
    assert response.status == 404


def test_the_calendar_download_is_an_icalendar_file(page: Page, live_server):
    mentorship = Mentorship.objects.get(
        peer__staff_member__name="Maria Sørensen", end_date__isnull=True
    )
    mentorship_path = f"/mentoring/mentorships/{mentorship.pk}/"
    login(page, live_server, "mentor")
    page.goto(url(live_server, mentorship_path))
    link = page.locator(f"main a[href='{mentorship_path}calendar.ics']")
    expect(link).to_have_count(1)

    response = page.request.get(url(live_server, link.get_attribute("href")))
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers.get("content-disposition", "")
    body = response.text()
    assert body.startswith("BEGIN:VCALENDAR")
    assert "BEGIN:VEVENT" in body
    assert body.count("BEGIN:VEVENT") == mentorship.checkins.count()

    # Every check-in starts at 10:00 in Copenhagen: written with the time zone, or in UTC.
    # (The VTIMEZONE block has DTSTARTs of its own; only the events' count here.)
    events = body.split("BEGIN:VEVENT")[1:]
    starts = [re.search(r"^DTSTART[^\r\n]*", e, flags=re.MULTILINE).group(0) for e in events]
    assert starts
    local = re.compile(r"^DTSTART;TZID=Europe/Copenhagen:\d{8}T100000$")
    utc = re.compile(r"^DTSTART(;VALUE=DATE-TIME)?:\d{8}T(09|08)0000Z$")
    for line in starts:
        assert local.match(line) or utc.match(line), line
    calendar = icalendar.Calendar.from_ical(body)
    for event in calendar.walk("VEVENT"):
        start = event.decoded("dtstart")
        assert start.tzinfo is not None, event
        assert start.astimezone(COPENHAGEN).time() == datetime.time(10, 0), start
