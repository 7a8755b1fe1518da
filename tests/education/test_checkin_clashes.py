"""Check-ins that clash with teaching days or meetings: the warning after enrolment links to
moving them, the mentorship page marks them, and one action moves the ticked ones to the
proposed (or a chosen) day, all or none."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from education import selectors, services
from mentoring import access
from mentoring.models import AwayPeriod, CheckIn
from peerprogram.models import AuditEvent

from .factories import CheckInFactory, CohortFactory, schedule

pytestmark = pytest.mark.django_db


def _monday_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=7 - day.weekday())


@pytest.fixture
def week(cast):
    """A cohort taught on Mondays and Tuesdays from 9:00 starting in three weeks, and the
    peer's check-ins at 10:00 on the first two Tuesdays (clashing) and on a Thursday (free)."""
    first = _monday_after(timezone.localdate() + datetime.timedelta(days=14))
    cohort = CohortFactory(name="Hold Næste", start_date=first)
    schedule(cohort, [first + datetime.timedelta(weeks=i) for i in range(7)])
    mentorship = cast.peer.mentorships.get()
    tuesdays = [
        CheckInFactory(mentorship=mentorship, date=first + datetime.timedelta(days=1 + 7 * i))
        for i in range(2)
    ]
    thursday = CheckInFactory(mentorship=mentorship, date=first + datetime.timedelta(days=3))
    return {
        "first": first,
        "cohort": cohort,
        "mentorship": mentorship,
        "tuesdays": tuesdays,
        "thursday": thursday,
    }


def _url(week):
    return reverse("education:checkin_clashes", args=[week["mentorship"].pk])


def _post(rows, **extra):
    data = {
        "move-TOTAL_FORMS": str(len(rows)),
        "move-INITIAL_FORMS": str(len(rows)),
        "move-MIN_NUM_FORMS": "0",
        "move-MAX_NUM_FORMS": "1000",
    }
    for i, (checkin, new_date, move) in enumerate(rows):
        data[f"move-{i}-checkin"] = str(checkin.pk)
        data[f"move-{i}-version"] = str(checkin.version)
        data[f"move-{i}-new_date"] = new_date.isoformat() if new_date else ""
        if move:
            data[f"move-{i}-move"] = "on"
    data.update(extra)
    return data


def test_enrolling_warns_of_the_clashing_check_ins_and_links_to_moving_them(client_for, cast, week):
    response = client_for("centre", "en").post(
        reverse("education:enrol", args=[week["cohort"].pk]),
        {"peer": cast.peer.pk},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    link = f'<a href="{_url(week)}">Move the 2 check-ins of Pia Peer and Mads Mentor that clash</a>'
    assert link in texts
    # Each clash is also named, in the page's language.
    tuesday = week["tuesdays"][0].date
    assert any(
        f"Mentor check-in: Pia Peer and Mads Mentor, {tuesday:%-d %b %Y} 10:00" in t for t in texts
    )
    assert link in response.content.decode()  # a link, not escaped text


@pytest.mark.parametrize(
    ("role", "moves"),
    [
        ("leader", True),
        ("peer", True),
        ("mentor", True),
        ("centre", True),
        ("admin", True),
        ("outsider", False),
    ],
)
def test_who_may_move_the_coming_check_ins(cast, week, role, moves):
    """Everyone who reaches the mentorship: its two parties, the unit's leader, the Centre
    and administrators; the leader of another unit gets no link and no page."""
    found = set(access.movable_checkins(cast.user(role)).values_list("pk", flat=True))
    expected = {c.pk for c in [*week["tuesdays"], week["thursday"]]} if moves else set()
    assert found == expected


def test_the_clashes_get_the_nearest_free_weekday_and_the_free_check_in_is_left_alone(cast, week):
    mentorship = week["mentorship"]
    upcoming = list(mentorship.checkins.all())
    # Not enrolled yet: the teaching days are not the peer's, so nothing clashes.
    assert selectors.checkin_clashes(mentorship, upcoming) == []
    services.enrol(cohort=week["cohort"], by=cast.centre.user, peer=cast.peer, centre=True)
    clashes = selectors.checkin_clashes(mentorship, upcoming)
    assert [c.checkin for c in clashes] == week["tuesdays"]
    # Wednesday is free for both: the next day, same time.
    assert [c.proposed for c in clashes] == [
        t.date + datetime.timedelta(days=1) for t in week["tuesdays"]
    ]
    assert all("odul" in c.others[0].title for c in clashes)


def test_a_proposal_avoids_the_mentors_absence_and_the_other_check_ins(cast, week):
    services.enrol(cohort=week["cohort"], by=cast.centre.user, peer=cast.peer, centre=True)
    mentorship = week["mentorship"]
    first_tuesday = week["tuesdays"][0].date
    wednesday = first_tuesday + datetime.timedelta(days=1)
    AwayPeriod.objects.create(mentor=cast.mentor, first_day=wednesday, last_day=wednesday)
    clashes = selectors.checkin_clashes(mentorship, list(mentorship.checkins.all()))
    # Wednesday away, Monday taught, Thursday has a check-in: Friday, three days on.
    assert clashes[0].proposed == first_tuesday + datetime.timedelta(days=3)


def test_the_page_moves_the_ticked_check_ins_in_one_action(
    client_for, cast, week, django_capture_on_commit_callbacks
):
    services.enrol(cohort=week["cohort"], by=cast.centre.user, peer=cast.peer, centre=True)
    client = client_for("leader", "en")
    page = client.get(_url(week))
    assert page.status_code == 200
    assert page.context["formset"].initial_form_count() == 2
    body = page.content.decode()
    assert "Clashes with" in body
    first, second = week["tuesdays"]
    chosen = second.date + datetime.timedelta(days=2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(week),
            _post([(first, first.date + datetime.timedelta(days=1), True), (second, chosen, True)]),
            follow=True,
        )
    assert response.redirect_chain[-1][0] == week["mentorship"].get_absolute_url()
    assert "2 check-ins are moved." in [str(m) for m in response.context["messages"]]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.date, first.moved_from, first.time) == (
        week["first"] + datetime.timedelta(days=2),
        week["first"] + datetime.timedelta(days=1),
        datetime.time(10, 0),
    )
    assert second.date == chosen
    assert AuditEvent.objects.filter(action="checkin_moved").count() == 2
    # The mentor and the peer worker are told; the leader who moved them is not.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [cast.mentor.email, cast.peer.staff_member.email]
    )
    assert "Lene Leder" in mail.outbox[0].body
    # Nothing clashes any more: the page says so, and the mentorship page has no notice.
    assert "None of the coming check-ins clash" in client.get(_url(week)).content.decode()
    detail = client.get(week["mentorship"].get_absolute_url()).content.decode()
    assert 'data-testid="clash-notice"' not in detail


def test_the_mentorship_page_marks_the_clashing_check_ins_and_links_to_moving_them(
    client_for, cast, week
):
    services.enrol(cohort=week["cohort"], by=cast.centre.user, peer=cast.peer, centre=True)
    page = client_for("mentor", "en").get(week["mentorship"].get_absolute_url()).content.decode()
    assert 'data-testid="clash-notice"' in page
    assert "2 coming check-ins clash with something else in the calendar." in page
    assert f'href="{_url(week)}"' in page
    assert page.count("Clashes with:") == 2


def test_every_error_comes_at_once_on_its_row_and_nothing_moves(client_for, cast, week):
    services.enrol(cohort=week["cohort"], by=cast.centre.user, peer=cast.peer, centre=True)
    first, second = week["tuesdays"]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client_for("mentor", "en").post(
        _url(week), _post([(first, None, True), (second, yesterday, True)])
    )
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert forms[0].errors["new_date"] == ["Choose the new day, or untick “Move”."]
    assert forms[1].errors["new_date"] == ["A check-in is moved to today or a later day."]
    body = response.content.decode()
    assert 'aria-invalid="true"' in body or "is-invalid" in body
    assert body.count('class="error-summary') <= 1
    assert not CheckIn.objects.filter(moved_from__isnull=False).exists()
    # Ticking nothing is refused too, with the reason.
    response = client_for("mentor", "en").post(
        _url(week), _post([(first, first.date, False), (second, second.date, False)])
    )
    assert response.context["formset"].non_form_errors() == ["Tick at least one check-in to move."]


def test_a_check_in_changed_meanwhile_refuses_the_whole_move(client_for, cast, week):
    services.enrol(cohort=week["cohort"], by=cast.centre.user, peer=cast.peer, centre=True)
    first, second = week["tuesdays"]
    data = _post(
        [
            (first, first.date + datetime.timedelta(days=1), True),
            (second, second.date + datetime.timedelta(days=1), True),
        ]
    )
    CheckIn.objects.filter(pk=second.pk).update(version=second.version + 1)
    response = client_for("mentor", "en").post(_url(week), data)
    assert response.status_code == 200
    assert "Someone changed one of these check-ins a moment ago" in str(
        response.context["formset"].non_form_errors()
    )
    first.refresh_from_db()
    assert first.moved_from is None  # all or none


def test_held_check_ins_and_ended_mentorships_are_not_movable(client_for, cast, week):
    services.enrol(cohort=week["cohort"], by=cast.centre.user, peer=cast.peer, centre=True)
    first, second = week["tuesdays"]
    CheckIn.objects.filter(pk=first.pk).update(status=CheckIn.Status.CANCELLED)
    page = client_for("mentor", "en").get(_url(week))
    assert [c.pk for _f, c, _clash in page.context["rows"]] == [second.pk]
    week["mentorship"].end_date = timezone.localdate()
    week["mentorship"].save()
    page = client_for("mentor", "en").get(_url(week))
    assert page.context["rows"] == []
    # A posted row for a check-in that can no longer move is refused on its row.
    response = client_for("mentor", "en").post(
        _url(week), _post([(second, second.date + datetime.timedelta(days=1), True)])
    )
    assert "This check-in can no longer be moved." in str(
        response.context["formset"].forms[0].non_field_errors()
    )


def test_a_crafted_check_in_id_is_refused_on_its_row_not_a_server_error(client_for, cast, week):
    services.enrol(cohort=week["cohort"], by=cast.centre.user, peer=cast.peer, centre=True)
    first = week["tuesdays"][0]
    data = _post([(first, first.date + datetime.timedelta(days=1), True)])
    data["move-0-checkin"] = "²"
    response = client_for("mentor", "en").post(_url(week), data)
    assert response.status_code == 200


def test_the_mentors_other_check_ins_are_named_only_as_check_ins(cast, week):
    """The peer worker reads the clashes too: whom else the mentor meets is not theirs."""
    from tests.factories import PeerWorkerFactory

    from .factories import MentorshipFactory

    other = MentorshipFactory(peer=PeerWorkerFactory(staff_member__name="Anna Anden"),
                              mentor=cast.mentor)  # fmt: skip
    first = week["tuesdays"][0]
    CheckInFactory(mentorship=other, date=first.date)
    mentorship = week["mentorship"]
    clashes = selectors.checkin_clashes(mentorship, list(mentorship.checkins.all()))
    titles = [e.title for c in clashes for e in c.others]
    assert titles and not any("Anna Anden" in t for t in titles)
