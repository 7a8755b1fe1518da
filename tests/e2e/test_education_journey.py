"""The education in a real browser, on the demo data: Centre staff plan a cohort, fill it
and watch the waiting list move up; plan an erfa series, cancel one meeting and take
attendance; a peer worker subscribes to their own calendar; a leader enrols only their own.

The education wording is still being translated, so names are matched in English or in the
Danish the server's catalogue gives (with the expected Danish wording as a fallback), and
messages are looked up in that catalogue. The rest leans on URLs, form field names,
data-testid hooks, names from the demo data and the database.
"""

import datetime
import re
import urllib.request

import icalendar
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import Page, expect

from education import access as education_access
from education import selectors as education_selectors
from education.models import CalendarFeed, Cohort, DayAttendance, Enrolment, ErfaGroup, Meeting
from peerprogram.models import StaffMember

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

PEER_GROUP = "Erfagruppe for peermedarbejdere"
LEADER_UNIT = "F-ACT Aalborg Øst"
NEW_COHORT = "Hold 2030"
COHORT_START = datetime.date(2030, 3, 1)
# Seven first teaching days in 2030, three weeks apart, Monday to Friday and round again
# (a Friday's second day is the Monday after).
FIRST_DAYS = [datetime.date(2030, 3, 4) + datetime.timedelta(days=21 * n + n % 5) for n in range(7)]
EXTERNAL = ("Jette Lund", "Rebild Kommune, Socialpsykiatrien", "jette.lund@rebild.example")


def url(live_server, path: str) -> str:
    return f"{live_server.url}{path}"


def danish(message: str) -> str:
    """A sentence as the Danish page shows it (English while it is untranslated)."""
    with translation.override("da"):
        return gettext(message)


def danish_plural(singular: str, plural: str, n: int) -> str:
    with translation.override("da"):
        return ngettext(singular, plural, n)


def name(english: str, *expected_danish: str) -> re.Pattern:
    """An accessible name, exactly: English, the catalogue's Danish, or the Danish wording
    the translation is expected to use."""
    names = sorted({english, danish(english), *expected_danish}, key=len, reverse=True)
    return re.compile(r"^\s*(?:" + "|".join(re.escape(n) for n in names) + r")\s*$")


def on_date(value, fmt: str) -> str:
    """A date as the Danish pages format it (Django's own Danish month and day names)."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    with translation.override("da"):
        return dateformat.format(value, fmt)


def second_tuesday(year: int, month: int) -> datetime.date:
    first = datetime.date(year, month, 1)
    return first + datetime.timedelta(days=(1 - first.weekday()) % 7 + 7)


def next_weekday(day: datetime.date) -> datetime.date:
    day += datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def message(page: Page, kind: str, text: str):
    """The flash message of that kind (success, info, warning) with exactly this text."""
    found = page.locator(f"main > div.alert.alert-{kind}").filter(has_text=text)
    expect(found).to_have_count(1)
    expect(found).to_have_text(text)
    return found


def no_errors(page: Page) -> None:
    expect(
        page.locator("main .alert-danger, main .invalid-feedback, main .errorlist")
    ).to_have_count(0)


def education_menu(page: Page, href: str) -> None:
    """Open an item of the navbar's Education dropdown."""
    nav = page.locator("nav.navbar")
    nav.get_by_role("button", name=name("Education", "Uddannelse")).click()
    item = nav.locator(f"a.dropdown-item[href='{href}']")
    expect(item).to_be_visible()
    item.click()
    expect(page).to_have_url(re.compile(re.escape(href) + r"$"))


def save(page: Page) -> None:
    page.locator("main form[method=post]").get_by_role("button", name=name("Save", "Gem")).click()


def sessions_rows(page: Page):
    return page.get_by_test_id("sessions").locator("tbody tr")


def participant_row(page: Page, person: str):
    return page.get_by_test_id("participants").locator("tbody tr", has_text=person)


def candidate(page: Page, person: str):
    return page.get_by_test_id("candidates").locator("label", has_text=person)


def enrol(page: Page, person: str) -> None:
    page.get_by_role("link", name=name("Enrol a peer worker", "Tilmeld en peermedarbejder")).click()
    expect(page).to_have_url(re.compile(r"/education/cohorts/\d+/enrol/$"))
    candidate(page, person).locator("input[type=radio][name=peer]").check()
    page.locator("main form[method=post]").get_by_role(
        "button", name=name("Enrol", "Tilmeld")
    ).click()
    expect(page).to_have_url(re.compile(r"/education/cohorts/\d+/$"))
    no_errors(page)


def test_centre_plans_a_cohort_fills_it_and_the_waiting_list_moves_up(
    page: Page, live_server, screenshot
):
    # In the demo, Oliver and Signe were educated on Hold 2021; here they still need it.
    Enrolment.objects.filter(
        cohort__name="Hold 2021",
        peer__staff_member__name__in=["Oliver Jakobsen", "Signe Haugaard"],
    ).delete()
    login(page, live_server, "center")

    # The list of cohorts, from the Education menu; a new cohort for 2030.
    education_menu(page, "/education/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        name("Peer education", "Peeruddannelse", "Peeruddannelsen")
    )
    page.get_by_role("link", name=name("New cohort", "Nyt hold")).click()
    expect(page).to_have_url(url(live_server, "/education/cohorts/new/"))
    page.fill("input[name=name]", NEW_COHORT)
    page.fill("input[name=start_date]", COHORT_START.isoformat())
    page.fill("input[name=capacity]", "2")
    save(page)

    cohort = Cohort.objects.get(name=NEW_COHORT)
    edit_path = f"/education/cohorts/{cohort.pk}/edit/"
    cohort_path = f"/education/cohorts/{cohort.pk}/"
    expect(page).to_have_url(url(live_server, edit_path))
    message(
        page, "success", danish("The cohort is created. Now set the date and place of each module.")
    )
    assert (cohort.start_date, cohort.capacity, cohort.status) == (COHORT_START, 2, "planning")

    # The seven modules' first teaching days.
    schedule = page.get_by_test_id("schedule").locator("tbody tr")
    expect(schedule).to_have_count(7)
    expect(page.locator("select[name=cohort-status]")).to_have_value("planning")
    for n, day in enumerate(FIRST_DAYS):
        page.fill(f"input[name=modules-{n}-first_day]", day.isoformat())
    save(page)

    expect(page).to_have_url(url(live_server, cohort_path))
    message(page, "success", danish("The cohort is saved."))
    expect(page.get_by_role("heading", level=1)).to_contain_text(NEW_COHORT)
    rows = sessions_rows(page)
    expect(rows).to_have_count(7)
    end = datetime.datetime(2030, 1, 1, 9) + datetime.timedelta(hours=settings.EDUCATION_DAY_HOURS)
    for n, day in enumerate(FIRST_DAYS):
        cells = rows.nth(n).locator("td")
        expect(rows.nth(n).locator("th")).to_have_text(re.compile(rf"^\s*{n + 1}\. "))
        expect(cells.nth(0)).to_have_text(
            f"{on_date(day, 'D j. b')} + {on_date(next_weekday(day), 'D j. b')}"
        )
        expect(cells.nth(1)).to_have_text(f"09:00–{end:%H:%M}")
    assert [s.first_day for s in cohort.sessions.order_by("module__number")] == FIRST_DAYS

    # Open for enrolment: the edit form's status; the dates stay.
    page.get_by_role("link", name=name("Edit dates and seats", "Ret datoer og pladser")).click()
    expect(page).to_have_url(url(live_server, edit_path))
    for n, day in enumerate(FIRST_DAYS):
        expect(page.locator(f"input[name=modules-{n}-first_day]")).to_have_value(day.isoformat())
    page.select_option("select[name=cohort-status]", "open")
    save(page)
    expect(page).to_have_url(url(live_server, cohort_path))
    message(page, "success", danish("The cohort is saved."))
    expect(page.locator("h1 .badge")).to_have_text(danish("Open for enrolment"))
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.OPEN
    assert [s.first_day for s in cohort.sessions.order_by("module__number")] == FIRST_DAYS
    seats = page.get_by_test_id("seats")
    expect(seats).to_have_text("0 / 2")

    # Two peer workers get the two seats; the fee goes to their unit.
    fee = f"{cohort.fee_dkk:,}".replace(",", ".")
    for person, unit in (
        ("Oliver Jakobsen", "F-ACT Hjørring"),
        ("Signe Haugaard", "F-ACT Frederikshavn"),
    ):
        enrol(page, person)
        message(
            page,
            "success",
            danish("%(name)s has a seat on %(cohort)s.") % {"name": person, "cohort": NEW_COHORT},
        )
        message(
            page,
            "info",
            danish("The fee of %(fee)s DKK is charged to the operating budget of %(unit)s.")
            % {"fee": fee, "unit": unit},
        )
        expect(participant_row(page, person)).to_contain_text(unit)
    expect(seats).to_have_text("2 / 2")
    expect(page.get_by_test_id("waiting")).to_have_count(0)

    # A third: the cohort is full, so the waiting list.
    page.get_by_role("link", name=name("Enrol a peer worker", "Tilmeld en peermedarbejder")).click()
    expect(page.locator("main p strong")).to_have_text(
        danish("The cohort is full: new participants go on the waiting list.")
    )
    page.go_back()
    enrol(page, "Freja Holst")
    message(
        page,
        "warning",
        danish(
            "%(cohort)s is full: %(name)s is on the waiting list and gets a seat "
            "automatically when one frees up."
        )
        % {"name": "Freja Holst", "cohort": NEW_COHORT},
    )
    waiting = page.get_by_test_id("waiting").locator("li")
    expect(waiting).to_have_count(1)
    expect(waiting.first).to_contain_text("Freja Holst")
    expect(waiting.first).to_contain_text("F-ACT Thisted")
    expect(participant_row(page, "Freja Holst")).to_have_count(0)
    expect(seats).to_have_text("2 / 2")

    # A seat is given up: the one waiting gets it at once.
    participant_row(page, "Oliver Jakobsen").get_by_role(
        "button", name=name("Cancel seat", "Afmeld", "Annullér plads")
    ).click()
    expect(page).to_have_url(url(live_server, cohort_path))
    message(
        page,
        "success",
        danish("%(name)s no longer has a place on %(cohort)s.")
        % {"name": "Oliver Jakobsen", "cohort": NEW_COHORT},
    )
    message(
        page,
        "info",
        danish("%(name)s got the seat from the waiting list.") % {"name": "Freja Holst"},
    )
    expect(page.get_by_test_id("waiting")).to_have_count(0)
    expect(participant_row(page, "Oliver Jakobsen")).to_have_count(0)
    expect(participant_row(page, "Freja Holst")).to_have_count(1)
    expect(participant_row(page, "Signe Haugaard")).to_have_count(1)
    expect(seats).to_have_text("2 / 2")
    statuses = dict(cohort.enrolments.values_list("peer__staff_member__name", "status"))
    assert statuses == {
        "Oliver Jakobsen": Enrolment.Status.CANCELLED,
        "Signe Haugaard": Enrolment.Status.ENROLLED,
        "Freja Holst": Enrolment.Status.ENROLLED,
    }

    # An external participant from a municipality: no seat is free, so the waiting list.
    page.get_by_role("link", name=name("External participant", "Ekstern deltager")).click()
    expect(page).to_have_url(url(live_server, f"/education/cohorts/{cohort.pk}/external/"))
    for field, value in zip(
        ("external_name", "external_organisation", "external_contact"), EXTERNAL, strict=True
    ):
        page.fill(f"input[name={field}]", value)
    save(page)
    expect(page).to_have_url(url(live_server, cohort_path))
    message(
        page,
        "warning",
        danish(
            "%(cohort)s is full: %(name)s is on the waiting list and gets a seat "
            "automatically when one frees up."
        )
        % {"name": EXTERNAL[0], "cohort": NEW_COHORT},
    )
    # No fee message: the unit pays only for its own peer workers.
    expect(page.locator("main > div.alert")).to_have_count(1)
    waiting = page.get_by_test_id("waiting").locator("li")
    expect(waiting).to_have_count(1)
    expect(waiting.first).to_contain_text(f"{EXTERNAL[0]} · {EXTERNAL[1]}")
    external = cohort.enrolments.get(external_name=EXTERNAL[0])
    assert (external.status, external.external_contact, external.paying_unit) == (
        Enrolment.Status.WAITING,
        EXTERNAL[2],
        None,
    )
    screenshot(page, "education-cohort")


def test_centre_plans_an_erfa_series_cancels_one_meeting_and_takes_attendance(
    page: Page, live_server, screenshot
):
    today = timezone.localdate()
    group = ErfaGroup.objects.get(name=PEER_GROUP)
    login(page, live_server, "center")

    education_menu(page, "/education/erfa/")
    page.get_by_role("link", name=PEER_GROUP, exact=True).click()
    group_path = f"/education/erfa/{group.pk}/"
    expect(page).to_have_url(url(live_server, group_path))
    expect(page.get_by_role("heading", level=1)).to_have_text(PEER_GROUP)

    # The second Tuesday of every month, 13:00–14:30, for the first half of 2030.
    page.get_by_role("link", name=name("Plan a series", "Planlæg en serie")).click()
    expect(page).to_have_url(url(live_server, f"/education/erfa/{group.pk}/series/"))
    page.select_option("select[name=frequency]", "monthly")
    page.fill("input[name=interval]", "1")
    page.select_option("select[name=week_of_month]", "2")
    page.select_option("select[name=weekday]", "1")
    page.fill("input[name=start_time]", "13:00")
    page.fill("input[name=end_time]", "14:30")
    page.fill("input[name=first_date]", "2030-01-01")
    page.fill("input[name=last_date]", "2030-06-30")
    page.select_option("select[name=kind]", "internal")
    page.locator("main form[method=post]").get_by_role(
        "button", name=name("Plan the meetings", "Planlæg møderne")
    ).click()

    days = [second_tuesday(2030, month) for month in range(1, 7)]
    expect(page).to_have_url(url(live_server, group_path))
    message(
        page,
        "success",
        danish_plural(
            "%(count)s meeting is planned for %(group)s.",
            "%(count)s meetings are planned for %(group)s.",
            len(days),
        )
        % {"count": len(days), "group": PEER_GROUP},
    )
    planned = list(group.meetings.filter(starts_at__year=2030).order_by("starts_at"))
    assert [timezone.localtime(m.starts_at).date() for m in planned] == days
    coming = page.get_by_test_id("coming")
    for meeting in planned:
        row = coming.locator("li", has=page.locator(f"a[href='{meeting.get_absolute_url()}']"))
        expect(row).to_have_count(1)
        expect(row.get_by_role("link")).to_have_text(on_date(meeting.starts_at, "D j. b Y"))
        expect(row).to_contain_text("13:00–14:30")
        expect(row.locator(".badge")).to_have_count(0)

    # One meeting is cancelled; the rest of the series stays.
    march = planned[2]
    coming.get_by_role("link", name=on_date(march.starts_at, "D j. b Y"), exact=True).click()
    expect(page).to_have_url(url(live_server, march.get_absolute_url()))
    expect(page.get_by_test_id("when")).to_have_text(
        f"{on_date(march.starts_at, 'l j. F Y')}, 13:00–14:30"
    )
    reason = "Underviseren er på kursus"
    page.fill("input[name=reason]", reason)
    page.get_by_role(
        "button", name=name("Cancel this meeting", "Aflys mødet", "Aflys dette møde")
    ).click()
    expect(page).to_have_url(url(live_server, march.get_absolute_url()))
    message(
        page, "success", danish("The meeting is cancelled. The rest of the series is unchanged.")
    )
    expect(page.locator("h1 .badge")).to_have_text(danish("Cancelled"))
    expect(page.locator("main .alert-secondary")).to_have_text(
        danish("Cancelled: %(r)s") % {"r": reason}
    )
    expect(page.locator("input[name=reason]")).to_have_count(0)
    page.locator("main dl").get_by_role("link", name=PEER_GROUP, exact=True).click()
    expect(page).to_have_url(url(live_server, group_path))
    for meeting in planned:
        row = page.get_by_test_id("coming").locator(
            "li", has=page.locator(f"a[href='{meeting.get_absolute_url()}']")
        )
        if meeting == march:
            expect(row.locator(".badge")).to_have_text(danish("Cancelled"))
            expect(row.locator("s")).to_contain_text(on_date(meeting.starts_at, "D j. b Y"))
        else:
            expect(row.locator(".badge")).to_have_count(0)
            expect(row.locator("s")).to_have_count(0)
    statuses = [m.status for m in group.meetings.filter(starts_at__year=2030).order_by("starts_at")]
    assert statuses == ["planned", "planned", "cancelled", "planned", "planned", "planned"]
    screenshot(page, "education-erfa")

    # Who took part in the last meeting held, from the group's recent meetings.
    last_held = (
        group.meetings.filter(ends_at__lt=timezone.now(), series__isnull=False)
        .order_by("-starts_at")
        .first()
    )
    recent = page.get_by_role("region", name=name("Recent meetings", "Seneste møder"))
    first_recent = recent.get_by_role("link").first
    expect(first_recent).to_have_attribute("href", last_held.get_absolute_url())
    first_recent.click()
    expect(page).to_have_url(url(live_server, last_held.get_absolute_url()))
    page.get_by_role("link", name=name("Attendance", "Fremmøde")).click()
    expect(page).to_have_url(url(live_server, f"/education/meetings/{last_held.pk}/attendance/"))
    came = ["Lasse Vinther", "Maria Sørensen", "Oliver Jakobsen"]
    boxes = page.locator("input[type=checkbox][name=people]")
    expect(boxes.first).to_be_visible()
    assert boxes.count() >= 6
    held_on = timezone.localdate(last_held.starts_at)
    for person in StaffMember.objects.filter(peer__isnull=False).select_related("peer"):
        box = page.locator(f"input[name=people][value='{person.pk}']")
        ended = person.peer.end_date is not None and person.peer.end_date < held_on
        if person.peer.start_date > held_on or ended:  # not employed that day: not listed
            expect(box).to_have_count(0)
            continue
        expect(box).to_have_count(1)
        box.set_checked(person.name in came)
    save(page)
    expect(page).to_have_url(url(live_server, last_held.get_absolute_url()))
    message(page, "success", danish("The attendance is saved."))
    took_part = page.get_by_role(
        "heading", name=danish_plural("%(n)s took part", "%(n)s took part", 3) % {"n": 3}
    )
    expect(took_part).to_be_visible()
    people = page.locator("section[aria-labelledby=att-h] li")
    expect(people).to_have_text(
        [
            "Lasse Vinther · F-ACT Brønderslev",
            "Maria Sørensen · F-ACT Aalborg Øst",
            "Oliver Jakobsen · F-ACT Hjørring",
        ]
    )
    assert sorted(last_held.attendance.values_list("person__name", flat=True)) == came

    # The register of the running cohort's first module: Helle Mørch missed the second day.
    running = Cohort.objects.get(name=f"Hold {today.year}")
    education_menu(page, "/education/")
    page.get_by_role("link", name=running.name, exact=True).click()
    expect(page).to_have_url(url(live_server, running.get_absolute_url()))
    helle = participant_row(page, "Helle Mørch")
    attended = helle.locator("td").nth(2)
    before = int(re.match(r"\s*(\d+)\s*/\s*7", attended.inner_text()).group(1))
    assert before >= 1
    first_module = running.sessions.get(module__number=1)
    sessions_rows(page).first.get_by_role("link", name=name("Attendance", "Fremmøde")).click()
    expect(page).to_have_url(
        url(live_server, f"/education/cohorts/{running.pk}/modules/{first_module.pk}/attendance/")
    )
    register = page.get_by_test_id("register")
    expect(register.locator("tbody tr")).to_have_count(4)
    present = register.locator("input[type=checkbox][name=present]")
    expect(present).to_have_count(8)
    for n in range(8):
        expect(present.nth(n)).to_be_checked()
    enrolment = running.enrolments.get(external_name="Helle Mørch")
    page.uncheck(f"input[name=present][value='{enrolment.pk}:2']")
    page.locator("main form[method=post]").get_by_role(
        "button", name=name("Save attendance", "Gem fremmøde")
    ).click()
    expect(page).to_have_url(url(live_server, running.get_absolute_url()))
    message(page, "success", danish("Attendance for module %(n)s is saved.") % {"n": 1})
    expect(attended).to_have_text(re.compile(rf"^\s*{before - 1}\s*/\s*7\s*$"))
    assert set(
        DayAttendance.objects.filter(session=first_module).values_list("enrolment_id", "day")
    ) == {(e.pk, d) for e in running.enrolments.all() for d in (1, 2)} - {(enrolment.pk, 2)}

    # The whole programme's month, from the navbar.
    page.locator("nav.navbar").get_by_role("link", name=name("Calendar", "Kalender")).click()
    expect(page).to_have_url(url(live_server, "/education/calendar/"))
    expect(page.get_by_test_id("whose")).to_have_text(
        danish("The whole programme: teaching days, erfa meetings and supervision")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        on_date(today.replace(day=1), "F Y").capitalize()
    )
    month = page.get_by_test_id("month")
    expect(month.locator("a.cal-entry.kind-erfa").first).to_be_visible()
    expect(month.locator("a.cal-entry.kind-education").first).to_be_visible()
    screenshot(page, "education-calendar-centre")


def test_peer_worker_sees_own_calendar_and_subscribes_in_outlook(
    page: Page, live_server, screenshot
):
    today = timezone.localdate()
    maria = StaffMember.objects.get(name="Maria Sørensen")
    login(page, live_server, "peer")

    page.locator("nav.navbar").get_by_role("link", name=name("Calendar", "Kalender")).click()
    expect(page).to_have_url(url(live_server, "/education/calendar/"))
    expect(page.get_by_test_id("whose")).to_have_text(
        danish("The calendar of %(n)s") % {"n": "Maria Sørensen"}
    )
    # Nobody else's calendar to choose from.
    expect(page.locator("select[name=person]")).to_have_count(0)

    # A month with a meeting of the peer erfa group (this one, or the next).
    month = today.replace(day=1)
    erfa = Meeting.objects.filter(group__name=PEER_GROUP).order_by("starts_at")
    shown = [m for m in erfa if timezone.localtime(m.starts_at).date().replace(day=1) == month]
    if not shown:
        month = (month + datetime.timedelta(days=32)).replace(day=1)
        page.get_by_role("link", name=re.compile(rf"{on_date(month, 'F')}\s*→")).click()
        shown = [m for m in erfa if timezone.localtime(m.starts_at).date().replace(day=1) == month]
    assert shown
    expect(page.get_by_role("heading", level=1)).to_have_text(on_date(month, "F Y").capitalize())
    grid = page.get_by_test_id("month")
    for meeting in shown:
        title = PEER_GROUP + (f": {meeting.topic}" if meeting.topic else "")
        entry = grid.locator(f"a.cal-entry.kind-erfa[href='{meeting.get_absolute_url()}']")
        expect(entry).to_have_count(1)
        expect(entry).to_have_attribute("title", title)
        expect(entry).to_have_text(f"13:00 {meeting.topic or PEER_GROUP}")
    # The running cohort's teaching days are not hers; nor is other people's supervision
    # (her own every six weeks is).
    expect(grid.locator("a.cal-entry.kind-education")).to_have_count(0)
    others = Meeting.objects.filter(kind="supervision").exclude(
        participants__staff_member__name="Maria Sørensen"
    )
    assert others.exists()
    for meeting in others:
        expect(grid.locator(f"a.cal-entry[href='{meeting.get_absolute_url()}']")).to_have_count(0)
    screenshot(page, "education-peer-calendar")

    # Outlook: the personal address works without the browser's session.
    page.get_by_role("link", name=name("Subscribe in Outlook", "Abonnér i Outlook")).click()
    expect(page).to_have_url(url(live_server, "/education/calendar/subscribe/"))
    page.get_by_role(
        "button", name=name("Make my calendar address", "Opret min kalenderadresse")
    ).click()
    feed_url = page.get_by_test_id("feed-url").input_value()
    assert re.fullmatch(
        re.escape(live_server.url) + r"/education/calendar/feed/[^/?#]+\.ics", feed_url
    )
    assert feed_url.endswith(f"/{CalendarFeed.objects.get(person=maria).token}.ics")
    with urllib.request.urlopen(feed_url, timeout=10) as response:  # noqa: S310 - the live server
        assert response.status == 200
        assert response.headers.get_content_type() == "text/calendar"
        body = response.read()
    assert body.startswith(b"BEGIN:VCALENDAR")
    assert b"BEGIN:VEVENT" in body
    calendar = icalendar.Calendar.from_ical(body)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    for meeting in shown:
        event = events.get(f"meeting-{meeting.pk}@peerprogram")
        assert event is not None, sorted(events)
        assert str(event["summary"]).startswith(PEER_GROUP)
        # Copenhagen wall-clock time, so Outlook shows 13:00 whatever the season.
        assert event["dtstart"].params.get("TZID") == "Europe/Copenhagen"
        assert event.decoded("dtstart") == meeting.starts_at
        assert timezone.localtime(meeting.starts_at).time() == datetime.time(13, 0)
    # The feed is hers only: no teaching days of a cohort she is not on.
    assert not [uid for uid in events if uid.startswith("education-")]
    # Without the token, the same server wants a login.
    with urllib.request.urlopen(url(live_server, "/education/calendar/"), timeout=10) as response:  # noqa: S310
        assert "/accounts/login/" in response.url


def test_leader_enrols_only_own_peers_and_follows_up(page: Page, live_server):
    today = timezone.localdate()
    leader = get_user_model().objects.get(username="leder")
    own = list(
        education_access.enrollable_peers(leader)
        .order_by("staff_member__name")
        .values_list("staff_member__name", "staff_member__unit__name")
    )
    assert own == [("Camilla Nørgaard", LEADER_UNIT), ("Maria Sørensen", LEADER_UNIT)]
    upcoming = Cohort.objects.get(name=f"Hold {today.year + 1}")
    assert upcoming.status == Cohort.Status.OPEN
    login(page, live_server, "leder")

    education_menu(page, "/education/")
    page.get_by_role("link", name=upcoming.name, exact=True).click()
    expect(page).to_have_url(url(live_server, upcoming.get_absolute_url()))
    expect(page.locator("h1 .badge")).to_have_text(danish("Open for enrolment"))
    # Leaders do not run the cohort.
    expect(page.locator(f"main a[href='/education/cohorts/{upcoming.pk}/edit/']")).to_have_count(0)
    page.get_by_role("link", name=name("Enrol a peer worker", "Tilmeld en peermedarbejder")).click()
    expect(page).to_have_url(url(live_server, f"/education/cohorts/{upcoming.pk}/enrol/"))
    # Maria completed the education on Hold 2021: not offered again, and the page says
    # why. Camilla, a trained nurse hired last year, has no seat yet: she is offered.
    expect(page.locator("input[type=radio][name=peer]")).to_have_count(1)
    expect(page.get_by_label("Camilla Nørgaard", exact=False)).to_have_count(1)
    left_out = page.locator("main details")
    left_out.locator("summary").click()
    expect(left_out.locator("li")).to_have_text(
        ["Maria Sørensen: " + danish("completed the education on %(c)s") % {"c": "Hold 2021"}]
    )
    main = page.locator("main")
    for other in (
        "Oliver Jakobsen",
        "Signe Haugaard",
        "Lasse Vinther",
        "Freja Holst",
        "Benjamin Kofoed",
    ):
        expect(main).not_to_contain_text(other)

    # The education follow-up: only the leader's own peer workers, if any.
    education_menu(page, "/education/follow-up/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        name("Education follow-up", "Opfølgning på uddannelse")
    )
    table = page.get_by_test_id("followup")
    expect(table).to_be_visible()
    expected = education_selectors.education_followup(education_access.enrollable_peers(leader))
    if expected:
        expect(table.locator("tbody tr td:first-child")).to_have_text(
            [r.peer.name for r in expected]
        )
    else:
        expect(table.locator("tbody tr")).to_have_text(
            [danish("Every peer worker has completed the education.")]
        )
    for other in ("Oliver Jakobsen", "Lasse Vinther", "Freja Holst", "Benjamin Kofoed"):
        expect(table).not_to_contain_text(other)
