import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from mentoring import selectors, services
from mentoring.models import MentorIntroduction, ReminderSent
from tests.education.factories import CheckInFactory
from tests.factories import MentorshipFactory, PeerWorkerFactory, StaffMemberFactory

from .helpers import fresh_mentorship as _fresh_mentorship

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_candidates_are_ranked_with_their_reasons(cast):
    busy = StaffMemberFactory(unit=cast.unit, name="Berit Travl", profession="psychologist")
    for _ in range(2):
        services.mentor_assign(
            peer=PeerWorkerFactory(staff_member__unit=cast.unit),
            mentor=busy,
            start_date=TODAY(),
            by=None,
        )
    fresh = StaffMemberFactory(unit=cast.unit, name="Frida Fri", profession="nurse")
    MentorIntroduction.objects.create(staff_member=fresh, attended_on=TODAY())
    ranked = selectors.candidates(cast.peer)
    names = [c.member.name for c in ranked]
    # The leader and the current mentor (Mads) are not offered; Frida has no mentee.
    assert names == ["Frida Fri", "Berit Travl"]
    assert ranked[0].reasons == [
        "har ingen mentee nu",
        "har ikke været mentor før",
        "har deltaget i Centrets mentorintroduktion",
        "sygeplejerske",
    ]
    preferred = selectors.candidates(cast.peer, "psychologist")
    assert preferred[0].member.name == "Berit Travl"
    assert preferred[0].reasons[0] == "den faggruppe, du foretrækker"


def test_health_counts_held_of_due_and_warns_after_14_days(cast):
    mentorship = _fresh_mentorship(cast)
    health = selectors.health_for(mentorship)
    assert health.held == 0 and health.due >= 2
    assert health.warning == "Intet sparringsmøde holdt siden start."
    due = mentorship.checkins.filter(date__lte=TODAY()).order_by("date")
    for checkin in due:
        services.checkin_log(
            checkin=checkin, by=None, outcome="held", expected_version=checkin.version
        )
    health = selectors.health_for(mentorship)
    assert (health.share_held, health.warning) == (100, "")


def test_one_click_logging_by_the_mentor_returns_the_row(client_for, cast):
    mentorship = _fresh_mentorship(cast)
    checkin = mentorship.checkins.filter(date__lte=TODAY()).first()
    response = client_for("mentor").post(
        reverse("mentoring:checkin_quick", args=[checkin.pk]),
        {"version": checkin.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.content.decode().startswith(f'<li id="checkin-{checkin.pk}"')
    checkin.refresh_from_db()
    assert (checkin.status, checkin.logged_by) == ("held", cast.mentor.user)


def test_the_leader_cannot_log_and_never_sees_the_note(client_for, cast):
    mentorship = _fresh_mentorship(cast)
    checkin = mentorship.checkins.filter(date__lte=TODAY()).first()
    services.checkin_log(
        checkin=checkin,
        by=None,
        outcome="held",
        expected_version=1,
        note="Privat: vi talte om søvn",
    )
    leader = client_for("leader")
    page = leader.get(mentorship.get_absolute_url()).content.decode()
    assert "Privat: vi talte om søvn" not in page
    assert leader.post(reverse("mentoring:checkin_quick", args=[checkin.pk])).status_code == 404
    assert (
        "Privat: vi talte om søvn"
        in client_for("peer").get(mentorship.get_absolute_url()).content.decode()
    )


def test_a_mentor_sees_only_their_own_mentees(client_for, cast):
    other = services.mentor_assign(
        peer=cast.other_peer,
        mentor=StaffMemberFactory(unit=cast.other_unit),
        start_date=TODAY(),
        by=None,
    )
    assert client_for("mentor").get(other.get_absolute_url()).status_code == 404


def test_the_log_form_moves_a_check_in_and_keeps_what_was_typed_on_error(client_for, cast):
    mentorship = _fresh_mentorship(cast)
    checkin = mentorship.checkins.filter(date__gte=TODAY()).first()
    client = client_for("peer", "en")
    url = reverse("mentoring:checkin_log", args=[checkin.pk])
    response = client.post(
        url, {"outcome": "moved", "note": "Flyttet pga. kursus", "version": checkin.version}
    )
    assert response.context["form"].errors["new_date"] == ["Choose the new date."]
    assert "Flyttet pga. kursus" in response.content.decode()
    new_date = checkin.date + datetime.timedelta(days=2)
    client.post(
        url, {"outcome": "moved", "new_date": new_date.isoformat(), "version": checkin.version}
    )
    checkin.refresh_from_db()
    assert (checkin.date, checkin.moved_from) == (new_date, new_date - datetime.timedelta(days=2))


def test_calendar_download_has_every_check_in(client_for, cast):
    mentorship = _fresh_mentorship(cast)
    response = client_for("mentor").get(reverse("mentoring:mentorship_ics", args=[mentorship.pk]))
    body = response.content.decode()
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert body.count("BEGIN:VEVENT") == 26
    assert "TZID=Europe/Copenhagen" in body and "T100000" in body


def test_reminders_go_out_once_a_day(cast, settings):
    mentorship = _fresh_mentorship(cast)
    # Exactly one check-in today, whatever weekday the test runs on.
    mentorship.checkins.filter(date=TODAY()).delete()
    mentorship.checkins.create(date=TODAY(), time=datetime.time(9), duration_minutes=30)
    call_command("send_mentoring_reminders")
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == ["Mentorforløb, der kræver opmærksomhed", "Sparringsmøde i dag med Pia Peer"]
    assert mail.outbox[0].to in ([cast.mentor.email], [cast.leader.email])
    call_command("send_mentoring_reminders")
    assert len(mail.outbox) == 2
    assert ReminderSent.objects.count() == 2


def test_failed_reminders_fail_the_command_and_are_tried_again(cast):
    from unittest import mock

    from django.core.management.base import CommandError

    mentorship = _fresh_mentorship(cast)
    mentorship.checkins.filter(date=TODAY()).delete()
    mentorship.checkins.create(date=TODAY(), time=datetime.time(9), duration_minutes=30)
    with (
        mock.patch("mentoring.services.send_mail", side_effect=OSError("SMTP down")),
        pytest.raises(CommandError, match="2 mentoring reminder"),
    ):
        call_command("send_mentoring_reminders")
    assert mail.outbox == [] and ReminderSent.objects.count() == 0
    call_command("send_mentoring_reminders")
    assert len(mail.outbox) == 2


def test_the_onboarding_pdf_shows_the_check_in_record(client_for, cast):
    import io

    from pypdf import PdfReader

    from recruitment import services as recruitment

    _fresh_mentorship(cast)
    onboarding = recruitment.onboarding_start_for_peer(peer=cast.peer, by=cast.leader.user)
    response = client_for("leader").get(reverse("recruitment:onboarding_pdf", args=[onboarding.pk]))
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "Sparringsmøder 0 af" in text and "planlagt i alt" in text


@pytest.mark.parametrize("size", [2, 15])
def test_overview_and_mentorship_pages_use_a_fixed_number_of_queries(
    client_for, cast, size, django_assert_max_num_queries
):
    for _ in range(size):
        peer = PeerWorkerFactory(staff_member__unit=cast.unit)
        services.mentor_assign(peer=peer, mentor=cast.mentor, start_date=TODAY(), by=None)
    mentorship = _fresh_mentorship(cast)
    # Five for any page, one for the actor; the count, a page of ids in order, their rows.
    for role in ("leader", "centre"):
        client = client_for(role)
        for sort in ("warning", "share", "last"):
            with django_assert_max_num_queries(9):
                response = client.get(reverse("mentoring:overview"), {"sort": sort})
            assert len(response.context["rows"]) == size + 1
    client = client_for("mentor")
    # The mentorship, its check-ins (the health is counted from them), tasks, history, and
    # four for what the coming check-ins clash with (the two people's calendars, the
    # mentor's days away).
    with django_assert_max_num_queries(14):
        assert client.get(mentorship.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(13):
        assert client.get(reverse("peerprogram:home")).status_code == 200


def test_the_leader_and_the_current_mentor_are_not_offered(cast):
    names = [c.member.name for c in selectors.candidates(cast.peer)]
    assert "Lene Leder" not in names and "Mads Mentor" not in names


def test_a_monthly_mentorship_warns_later_than_a_weekly_one(cast):
    mentorship = _fresh_mentorship(cast, started_days_ago=220)
    for checkin in mentorship.checkins.filter(date__lte=TODAY() - datetime.timedelta(days=20)):
        services.checkin_log(
            checkin=checkin, by=None, outcome="held", expected_version=checkin.version
        )
    assert selectors.health_for(mentorship).warning.startswith("Intet sparringsmøde holdt i")
    services.mentorship_continue_monthly(mentorship=mentorship, by=None)
    assert selectors.health_for(mentorship).warning == ""


def test_the_calendar_has_a_timezone_block_and_a_danish_file_name(client_for, cast):
    cast.peer.staff_member.name = "Søren Ærø"
    cast.peer.staff_member.save()
    mentorship = _fresh_mentorship(cast)
    response = client_for("mentor").get(reverse("mentoring:mentorship_ics", args=[mentorship.pk]))
    assert "BEGIN:VTIMEZONE" in response.content.decode()
    assert response["Content-Disposition"] == 'attachment; filename="mentor-soeren-aeroe.ics"'


def test_the_admin_cannot_filter_check_ins_by_their_note(client_for, cast):
    _fresh_mentorship(cast)
    response = client_for("admin").get("/admin/mentoring/checkin/?note__icontains=a")
    assert response.status_code in (302, 400)


def _mentorship(cast, name: str, started_days_ago: int):
    return MentorshipFactory(
        peer=PeerWorkerFactory(staff_member__name=name, staff_member__unit=cast.unit),
        mentor=cast.mentor,
        start_date=TODAY() - datetime.timedelta(days=started_days_ago),
    )


def test_the_overview_shows_fifty_a_page_with_the_warnings_first(client_for, cast):
    cast.peer.mentorships.all().delete()
    for n in range(52):
        _mentorship(cast, f"Frisk {n:02d}", started_days_ago=0)
    for name in ("Ældre Ane", "Ældre Bo", "Ældre Carl"):
        _mentorship(cast, name, started_days_ago=30)
    client = client_for("leader")
    first = client.get(reverse("mentoring:overview"))
    rows = first.context["rows"]
    assert first.context["page"].paginator.count == 55
    assert [row.peer_name for row in rows[:4]] == [
        "Ældre Ane",
        "Ældre Bo",
        "Ældre Carl",
        "Frisk 00",
    ]
    assert [bool(row.warning) for row in rows] == [True] * 3 + [False] * 47
    second = client.get(reverse("mentoring:overview"), {"page": 2})
    assert [row.peer_name for row in second.context["rows"]] == [
        f"Frisk {n}" for n in range(47, 52)
    ]
    assert 'href="?page=1"' in second.content.decode()


def test_sorting_by_share_puts_those_with_nothing_due_last(client_for, cast):
    cast.peer.mentorships.all().delete()
    half = _mentorship(cast, "Halv", started_days_ago=10)
    full = _mentorship(cast, "Hel", started_days_ago=10)
    _mentorship(cast, "Ny", started_days_ago=0)
    for mentorship, statuses in ((half, ["held", "planned"]), (full, ["held", "held"])):
        for days_ago, status in zip((3, 2), statuses, strict=True):
            CheckInFactory(
                mentorship=mentorship,
                date=TODAY() - datetime.timedelta(days=days_ago),
                status=status,
            )
    client = client_for("centre")
    by_share = client.get(reverse("mentoring:overview"), {"sort": "share"}).context["rows"]
    assert [(row.peer_name, row.share_held) for row in by_share] == [
        ("Halv", 50),
        ("Hel", 100),
        ("Ny", None),
    ]
    by_last = client.get(reverse("mentoring:overview"), {"sort": "last"}).context["rows"]
    assert [row.peer_name for row in by_last] == ["Ny", "Halv", "Hel"]


def test_the_page_counts_the_check_ins_as_the_lists_do(cast):
    mentorship = _fresh_mentorship(cast, started_days_ago=60)
    checkins = list(mentorship.checkins.order_by("date"))
    past = [c for c in checkins if c.date <= TODAY()]
    services.checkin_log(checkin=past[0], by=None, outcome="held", expected_version=past[0].version)
    services.checkin_log(
        checkin=past[1], by=None, outcome="cancelled", expected_version=past[1].version
    )
    queried = selectors.health_for(mentorship)
    mentorship.refresh_from_db()  # as the page reads it, with its last held date
    counted = selectors.health_of(mentorship, list(mentorship.checkins.all()))
    figures = ("held", "due", "planned", "share_held", "last_held", "next_date", "warning")
    assert [getattr(counted, f) for f in figures] == [getattr(queried, f) for f in figures]
    assert (counted.held, counted.last_held) == (1, past[0].date)
    assert counted.due == len(past) and counted.planned == len(checkins)


def test_a_refused_outcome_is_tied_to_its_radio_group(client_for, cast):
    """The group's fieldset points at the message, and every radio button is marked invalid:
    a screen reader hears the error with the question."""
    mentorship = _fresh_mentorship(cast)
    checkin = mentorship.checkins.order_by("date").first()
    response = client_for("mentor").post(
        reverse("mentoring:checkin_log", args=[checkin.pk]),
        {"outcome": "", "version": checkin.version},
    )
    page = response.content.decode()
    assert '<fieldset aria-describedby="id_outcome_error">' in page
    radios = [part for part in page.split("<input")[1:] if 'name="outcome"' in part.split(">")[0]]
    assert len(radios) == 3
    assert all('aria-invalid="true"' in r.split(">")[0] for r in radios)
    assert 'id="id_outcome_error"' in page
