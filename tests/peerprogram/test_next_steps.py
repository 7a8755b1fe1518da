"""Next steps where users look for them: enrolling from the peer worker's page and the
checklist, attendance in one click, modules without attendance marked, no way into a
cancelled meeting, and a changed note showing what changed before the patient approves."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from education.models import Cohort, DayAttendance
from journal import services as journal


@pytest.fixture
def cast(world, db):
    return world._cast


def test_enrol_from_the_peer_workers_page_opens_the_next_cohort_with_the_peer_chosen(
    client_for, world
):
    peer = world._cast.other_peer  # not enrolled anywhere yet
    client = client_for("centre")
    page = client.get(reverse("peerprogram:peer_detail", args=[peer.pk])).content.decode()
    link = reverse("education:enrol_next", args=[peer.pk])
    assert f'href="{link}"' in page
    response = client.get(link)
    enrol = reverse("education:enrol", args=[world.cohort.pk])
    assert response.status_code == 302 and response["Location"] == f"{enrol}?peer={peer.pk}"
    form = client.get(response["Location"]).context["form"]
    assert form["peer"].value() == peer.pk


def test_enrol_without_an_open_cohort_says_so(client_for, world):
    Cohort.objects.update(status=Cohort.Status.PLANNING)
    response = client_for("centre").get(
        reverse("education:enrol_next", args=[world._cast.peer.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("education:cohort_list")
    assert "Intet hold er åbent for tilmelding endnu." in response.content.decode()


def test_the_checklists_enrolment_task_links_to_enrolment(client_for, world):
    onboarding = world.onboarding
    type(onboarding).objects.filter(pk=onboarding.pk).update(peer=world._cast.other_peer)
    html = client_for("leader").get(reverse("recruitment:checklist", args=[onboarding.pk]))
    link = reverse("education:enrol_next", args=[world._cast.other_peer.pk])
    assert f'href="{link}"' in html.content.decode()


def test_everyone_present_marks_each_seat_on_the_days_that_have_come(client_for, world):
    cohort, session = world.cohort, world.session
    today = timezone.localdate()
    type(session).objects.filter(pk=session.pk).update(first_day=today)
    session.refresh_from_db()
    response = client_for("centre").post(
        reverse("education:session_attendance", args=[cohort.pk, session.pk]), {"everyone": "1"}
    )
    assert response.status_code == 302
    marked = set(DayAttendance.objects.filter(session=session).values_list("enrolment", "day"))
    # Day 2 is tomorrow's (or the next weekday's): not marked yet.
    assert marked == {(world.enrolment.pk, 1)}


def test_the_cohort_page_marks_modules_taught_without_attendance(client_for, world):
    cohort, session = world.cohort, world.session
    type(session).objects.filter(pk=session.pk).update(
        first_day=timezone.localdate() - datetime.timedelta(days=7)
    )
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.RUNNING)
    html = client_for("centre").get(reverse("education:cohort_detail", args=[cohort.pk]))
    assert html.content.decode().count('data-testid="attendance-missing"') == 1


def test_a_cancelled_meeting_offers_no_way_in(client_for, world):
    meeting = world.meeting
    type(meeting).objects.filter(pk=meeting.pk).update(online_link="https://meet.example/x")
    url = reverse("education:meeting_detail", args=[meeting.pk])
    assert "https://meet.example/x" in client_for("centre").get(url).content.decode()
    type(meeting).objects.filter(pk=meeting.pk).update(status="cancelled")
    assert "https://meet.example/x" not in client_for("centre").get(url).content.decode()


def test_the_reapproval_marks_what_changed_since_the_patient_approved(client_for, world):
    note = world.note  # approved once, and being changed
    draft = journal.draft_of(note)
    journal.draft_save(
        draft=draft,
        by=world._cast.peer.staff_member.user,
        expected_version=draft.version,
        changes={"meaning": "At male igen."},
    )
    html = (
        client_for("peer")
        .get(reverse("journal:note_write", args=[note.pk]) + "?step=approve")
        .content.decode()
    )
    assert 'data-testid="changes-note"' in html
    assert 'class="note-section note-changed" data-section="meaning"' in html
    assert 'class="note-section" data-section="hope"' in html  # as approved


def test_flagging_a_concern_asks_first(client_for, world):
    note = world.note
    Note = type(note)
    Note.objects.filter(pk=note.pk).update(status=Note.Status.FINAL)
    html = client_for("peer").get(note.get_absolute_url()).content.decode()
    assert 'data-testid="flag-concern"' in html
    assert "Ja, markér bekymringen" in html


# An erfa series: its dates shown first, the group's own days skipped, undone in one go --


def _series_post(**overrides):
    data = {
        "frequency": "monthly",
        "interval": 1,
        "week_of_month": 1,
        "weekday": 3,
        "start_time": "13:00",
        "end_time": "14:00",
        "first_date": "",
        "last_date": "",
        "kind": "alternate",
        "place": "Mødelokale 4",
        "online_link": "",
    }
    data.update(overrides)
    return data


def test_a_series_shows_its_dates_first_and_skips_the_days_the_group_meets(client_for, world):
    series = world.series  # the first Thursdays of two months, two years ahead
    days = sorted(timezone.localdate(m.starts_at) for m in series.meetings.all())
    first = days[0] - datetime.timedelta(days=days[0].day - 1)
    last = days[-1] + datetime.timedelta(days=62)
    url = reverse("education:series_create", args=[world.group.pk])
    data = _series_post(first_date=first.isoformat(), last_date=last.isoformat())
    client = client_for("centre")

    response = client.post(url, {**data, "preview": "1"})
    preview = response.context["preview"]
    assert [taken for _day, taken in preview] == [True, True, False, False]
    assert response.context["skipped"] == 2
    assert not world.group.meetings.filter(series__isnull=False).exclude(series=series).exists()

    response = client.post(url, data)
    assert response.status_code == 302
    new = list(
        world.group.meetings.exclude(series=series)
        .filter(series__isnull=False)
        .order_by("starts_at")
    )
    assert [timezone.localdate(m.starts_at) for m in new] == [d for d, t in preview if not t]
    assert [m.kind for m in new] == ["internal", "external"]  # in turn, internal first
    assert {m.place for m in new} == {"Mødelokale 4"}


def test_undoing_a_series_keeps_the_meetings_something_was_recorded_on(client_for, world):
    series = world.series
    meetings = list(series.meetings.order_by("starts_at"))
    type(meetings[0]).objects.filter(pk=meetings[0].pk).update(topic="Peerdrift")
    client = client_for("centre")
    response = client.post(reverse("education:series_remove", args=[series.pk]))
    assert response.status_code == 302
    assert list(series.meetings.all()) == [meetings[0]]
    html = client.get(response["Location"]).content.decode()
    assert "1 kommende møde i rækken er fjernet." in html


def test_the_mentors_weekly_day_is_proposed_off_the_peer_workers_teaching_days(client_for, world):
    from mentoring.selectors import proposed_weekday

    peer, session = world._cast.peer, world.session  # a seat on the cohort
    today = timezone.localdate()
    tuesday = today + datetime.timedelta(days=(1 - today.weekday()) % 7 or 7)
    type(session).objects.filter(pk=session.pk).update(first_day=tuesday)  # and Wednesday
    supervision_day = timezone.localtime(world.supervision.starts_at).weekday()

    proposed = proposed_weekday(peer)
    assert proposed in range(5)
    assert proposed not in {1, 2, supervision_day}
    form = client_for("leader").get(reverse("mentoring:mentor_assign", args=[peer.pk]))
    assert form.context["form"]["weekday"].value() == proposed


def test_dates_follow_the_language_of_the_page(client_for, world):
    from django.urls import reverse
    from django.utils import timezone, translation
    from django.utils.formats import date_format

    meeting = world.meeting
    day = timezone.localtime(meeting.starts_at).date()
    url = reverse("education:meeting_detail", args=[meeting.pk])
    with translation.override("en"):
        english = date_format(day, "DATE_FORMAT")  # "5 December 2026" (peerprogram/formats/en)
    with translation.override("da"):
        danish = date_format(day, "DATE_FORMAT")  # e.g. "5. december 2026"
    assert english != danish
    english_page = client_for("centre", "en").get(url).content.decode()
    danish_page = client_for("centre", "da").get(url).content.decode()
    assert english in english_page
    assert danish in danish_page
    # The product's own patterns with a weekday: "Saturday 5 December 2026" in English,
    # "lørdag 5. december 2026" in Danish (peerprogram/formats).
    english_weekday = f"{day:%A} {day.day} {day:%B} {day.year}"
    assert english_weekday in english_page
    assert english_weekday not in danish_page
    assert f" {day.day}. " in danish_page.split('data-testid="when">')[1][:40]


def test_every_named_pattern_exists_in_both_languages_and_english_has_no_danish_dot():
    import datetime

    from django.utils import translation

    from peerprogram.formats import format_day
    from peerprogram.formats.da import formats as danish
    from peerprogram.formats.en import formats as english

    names = [n for n in vars(danish) if n.endswith("_FORMAT")]
    assert names and all(hasattr(english, n) for n in names)
    day = datetime.datetime(2027, 1, 5, 10, 30)
    with translation.override("en"):
        assert format_day(day, "WEEKDAY_DATE_FORMAT") == "Tuesday 5 January 2027"
        assert format_day(day, "ABBR_WEEKDAY_MONTH_DAY_TIME_FORMAT") == "Tue 5 Jan 10:30"
        assert all(". " not in format_day(day, n) for n in names)
    with translation.override("da"):
        assert format_day(day, "WEEKDAY_DATE_FORMAT") == "tirsdag 5. januar 2027"
        assert format_day(day, "ABBR_DATE_FORMAT") == "5. jan 2027"


def test_a_series_with_a_bad_link_is_refused_on_the_field_and_keeps_what_was_typed(
    client_for, world
):
    url = reverse("education:series_create", args=[world.group.pk])
    data = _series_post(
        first_date=timezone.localdate().isoformat(),
        last_date=(timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
        online_link="ikke et link",
    )
    response = client_for("centre").post(url, {**data, "preview": "1"})
    form = response.context["form"]
    assert list(form.errors) == ["online_link"]
    assert response.context["preview"] is None
    assert 'value="Mødelokale 4"' in response.content.decode()


def test_numbers_a_person_reads_have_danish_thousands_separators():
    """4.020, not 4020: counts in lists, tables and messages (ids in addresses stay plain)."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from peerprogram.imports import MAX_ROWS, ImportFileError, read_dataset

    unit = {
        "url": "/units/1740/",
        "name": "F-ACT",
        "kind": "",
        "leader": "",
        "staff_count": 4020,
        "peer_count": 1488,
    }
    with translation.override("da"):
        html = render_to_string("peerprogram/_unit_rows.html", {"rows": [unit], "full": False})
        assert "4.020" in html and "1.488" in html and 'href="/units/1740/"' in html
        body = "\n".join(["navn"] + ["x"] * (MAX_ROWS + 1)).encode()
        with pytest.raises(ImportFileError) as refused:
            read_dataset(body, "staff.csv")
        assert "10.001" in str(refused.value) and "10.000" in str(refused.value)
