"""`Mentorship.last_held_on` is kept by every write of check-ins: after each kind of
change it equals the newest held check-in counted afresh from the check-ins."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from mentoring import selectors, services
from mentoring.models import CheckIn, Mentorship
from peerprogram.models import AuditEvent
from tests.education.factories import CheckInFactory

from .helpers import fresh_mentorship

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _kept_and_counted() -> list[tuple[int, datetime.date | None, datetime.date | None]]:
    return list(
        Mentorship.objects.annotate(counted=services.last_held_on())
        .order_by("pk")
        .values_list("pk", "last_held_on", "counted")
    )


def assert_kept():
    rows = _kept_and_counted()
    assert rows, "no mentorship to compare"
    assert [(pk, kept) for pk, kept, _ in rows] == [(pk, counted) for pk, _, counted in rows]


def _mentorship(cast, started_days_ago=60) -> Mentorship:
    return fresh_mentorship(cast, started_days_ago)


def _log(checkin: CheckIn, outcome: str, **kwargs) -> None:
    checkin.refresh_from_db()
    services.checkin_log(
        checkin=checkin, by=None, outcome=outcome, expected_version=checkin.version, **kwargs
    )


def test_logging_held_cancelled_and_moved_keeps_the_last_held_date(cast):
    mentorship = _mentorship(cast)
    past = list(mentorship.checkins.filter(date__lt=TODAY()).order_by("date"))
    assert len(past) >= 3
    mentorship.refresh_from_db()
    assert mentorship.last_held_on is None
    assert_kept()

    _log(past[0], "held")
    _log(past[1], "held")
    mentorship.refresh_from_db()
    assert mentorship.last_held_on == past[1].date
    assert_kept()

    # The newer one was not held after all: the date goes back to the older one.
    _log(past[1], "cancelled")
    mentorship.refresh_from_db()
    assert mentorship.last_held_on == past[0].date
    assert_kept()

    # A held check-in moved to another day is planned again, so no longer held.
    _log(past[0], "moved", new_date=TODAY() + datetime.timedelta(days=1))
    mentorship.refresh_from_db()
    assert mentorship.last_held_on is None
    assert_kept()


def test_ending_and_refreshing_the_schedule_keep_it(cast):
    mentorship = _mentorship(cast)
    past = list(mentorship.checkins.filter(date__lt=TODAY()).order_by("date"))
    _log(past[-1], "held")
    services.schedule_refresh(mentorship=mentorship)
    services.mentorship_end(
        mentorship=mentorship, end_date=TODAY(), reason=Mentorship.EndReason.PLANNED, by=None
    )
    mentorship.refresh_from_db()
    assert mentorship.last_held_on == past[-1].date
    assert_kept()


def test_the_admin_keeps_it_when_a_check_in_is_changed_moved_or_deleted(client_for, cast):
    first = _mentorship(cast)
    second = Mentorship.objects.create(
        peer=cast.other_peer,
        mentor=cast.mentor,
        start_date=TODAY() - datetime.timedelta(days=30),
    )
    checkin = first.checkins.filter(date__lt=TODAY()).order_by("date").first()
    client = client_for("admin")
    url = f"/admin/mentoring/checkin/{checkin.pk}/change/"
    form = {
        "mentorship": first.pk,
        "date": checkin.date.isoformat(),
        "time": "10:00",
        "moved_from": "",
        "status": "held",
        "duration_minutes": "30",
        "topics": "[]",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    first.refresh_from_db()
    assert first.last_held_on == checkin.date
    assert_kept()
    # Through the mentoring services, which write the audit row as for every other write.
    changed = AuditEvent.objects.get(action="checkin_change", object_id=checkin.pk)
    assert changed.actor == cast.admin_user

    # Moved to the other mentorship: the first has no held check-in left, the second has.
    response = client.post(url, {**form, "mentorship": second.pk})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.last_held_on, second.last_held_on) == (None, checkin.date)
    assert_kept()

    response = client.post(f"/admin/mentoring/checkin/{checkin.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.last_held_on is None
    assert_kept()
    assert AuditEvent.objects.filter(action="checkin_delete", object_id=checkin.pk).count() == 1

    # Deleting several at once from the list.
    held = CheckInFactory(mentorship=second, date=TODAY(), status=CheckIn.Status.HELD)
    second.refresh_from_db()
    assert second.last_held_on == TODAY()
    response = client.post(
        "/admin/mentoring/checkin/",
        {"action": "delete_selected", "_selected_action": [held.pk], "post": "yes"},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.last_held_on is None
    assert_kept()


def test_the_demo_programme_keeps_it(demo_programme):
    assert Mentorship.objects.filter(last_held_on__isnull=False).exists()
    assert_kept()


def test_the_migration_fills_it_from_the_check_ins(cast):
    mentorship = _mentorship(cast)
    past = list(mentorship.checkins.filter(date__lt=TODAY()).order_by("date"))
    CheckIn.objects.filter(pk__in=[c.pk for c in past[:2]]).update(status=CheckIn.Status.HELD)
    Mentorship.objects.update(last_held_on=None)
    migration = importlib.import_module("mentoring.migrations.0004_mentorship_last_held_on")
    migration.fill(apps, None)
    mentorship.refresh_from_db()
    assert mentorship.last_held_on == past[1].date
    assert_kept()


def test_the_overview_orders_by_the_kept_date(cast):
    mentorship = _mentorship(cast, started_days_ago=60)
    today = TODAY()
    warned = selectors.with_warning(Mentorship.objects.filter(pk=mentorship.pk), today).get()
    assert warned.has_warning
    _log(mentorship.checkins.filter(date__lt=today).order_by("date").last(), "held")
    warned = selectors.with_warning(Mentorship.objects.filter(pk=mentorship.pk), today).get()
    assert not warned.has_warning
