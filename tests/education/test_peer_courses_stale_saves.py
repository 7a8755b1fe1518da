"""A peer worker's mandatory courses refuse a save made on the page opened before someone
else saved them (or recorded a course the page showed as not yet recorded), and keep what
was typed. (Every edit page's stale save: tests/peerprogram/test_stale_saves.py.)"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from education import services
from education.models import CourseRecord, MandatoryCourse

pytestmark = pytest.mark.django_db

REFUSED = (
    "Someone else saved this record while you were editing it. Nothing was overwritten: "
    "your changes are still in the form below. Reload the page to see their version, then "
    "make your changes again."
)
# Days already passed: a completion cannot be in the future.
DAY = timezone.localdate() - datetime.timedelta(days=30)
LATER = DAY + datetime.timedelta(days=7)


def _opened(client, peer) -> dict:
    """The page's form as it was opened: every course's dates and version."""
    response = client.get(reverse("education:peer_courses", args=[peer.pk]))
    data = {}
    for _row, form in response.context["rows"]:
        for name in ("enrolled_on", "completed_on", "version"):
            value = form.initial.get(name)
            data[form.add_prefix(name)] = "" if value is None else str(value)
    return data


def _stored(peer) -> list[tuple]:
    return list(
        CourseRecord.objects.filter(peer=peer)
        .order_by("course_id")
        .values_list("course_id", "enrolled_on", "completed_on", "version")
    )


@pytest.fixture
def course():
    return MandatoryCourse.objects.get(name="Brandskole")


def test_a_stale_save_is_refused_and_keeps_what_was_typed(client_for, cast, course):
    client = client_for("leader", "en")
    url = reverse("education:peer_courses", args=[cast.peer.pk])
    opened = _opened(client, cast.peer)
    first = {**opened, f"c{course.pk}-enrolled_on": DAY.isoformat()}
    assert client.post(url, first).status_code == 302
    stored = _stored(cast.peer)

    response = client.post(url, {**opened, f"c{course.pk}-enrolled_on": LATER.isoformat()})

    assert response.status_code == 200
    assert response.context["error"] == REFUSED
    assert f'value="{LATER.isoformat()}"' in response.content.decode()
    assert _stored(cast.peer) == stored


def test_a_course_recorded_meanwhile_is_not_overwritten(client_for, cast, course):
    client = client_for("leader", "en")
    opened = _opened(client, cast.peer)
    assert opened[f"c{course.pk}-version"] == "0"  # no record yet
    services.course_records_save(peer=cast.peer, by=cast.centre.user, rows=[(course, DAY, None)])

    response = client.post(
        reverse("education:peer_courses", args=[cast.peer.pk]),
        {**opened, f"c{course.pk}-completed_on": LATER.isoformat()},
    )

    assert response.context["error"] == REFUSED
    assert _stored(cast.peer) == [(course.pk, DAY, None, 1)]


def test_after_a_reload_the_save_is_taken(client_for, cast, course):
    client = client_for("leader", "en")
    url = reverse("education:peer_courses", args=[cast.peer.pk])
    client.post(url, {**_opened(client, cast.peer), f"c{course.pk}-enrolled_on": DAY.isoformat()})

    data = {**_opened(client, cast.peer), f"c{course.pk}-completed_on": LATER.isoformat()}
    response = client.post(url, data)

    assert response.status_code == 302
    record = CourseRecord.objects.get(peer=cast.peer, course=course)
    assert (record.enrolled_on, record.completed_on) == (DAY, LATER)
