"""Supervision arranged by the Centre or by a leader for their own peer workers: once or
as a series, with a supervisor from outside; attendance; the peer worker's page shows the
last and the next."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from education import selectors, services
from education.models import Meeting

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _data(cast, **changes):
    data = {
        "participants": [cast.peer.pk],
        "date": (TODAY() + datetime.timedelta(days=7)).isoformat(),
        "start_time": "13:00",
        "end_time": "14:30",
        "supervisor": "Hanne Holm",
        "supervisor_organisation": "Psykologhuset Nord",
        "topic": "Forebyggelse af peerdrift",
        "online_link": "",
        "place": "Mødelokale 2",
        "repeat_weeks": "6",
        "sessions": "4",
    }
    data.update(changes)
    return data


def test_a_leader_arranges_a_series_for_their_own_peer_worker(client_for, cast):
    client = client_for("leader")
    url = reverse("education:supervision_create")
    page = client.get(f"{url}?peer={cast.peer.pk}")
    assert page.status_code == 200
    # Only the leader's own peer workers are offered.
    offered = list(page.context["form"].fields["participants"].queryset)
    assert offered == [cast.peer]
    response = client.post(url, _data(cast))
    assert response.status_code == 302
    meetings = list(Meeting.objects.filter(kind="supervision").order_by("starts_at"))
    assert len(meetings) == 4
    # Six weeks apart, at 13:00 local time also after a change to summer time.
    first = timezone.localtime(meetings[0].starts_at).date()
    assert [timezone.localtime(m.starts_at).date() for m in meetings] == [
        first + datetime.timedelta(weeks=6 * n) for n in range(4)
    ]
    assert all(timezone.localtime(m.starts_at).time() == datetime.time(13) for m in meetings)
    assert meetings[0].supervisor_organisation == "Psykologhuset Nord"
    # Another unit's peer worker cannot be chosen.
    refused = client.post(url, _data(cast, participants=[cast.other_peer.pk]))
    assert "participants" in refused.context["form"].errors


def test_every_error_of_a_supervision_shows_at_once(client_for, cast):
    response = client_for("centre").post(
        reverse("education:supervision_create"),
        _data(cast, repeat_weeks="0", sessions="3", end_time="12:00", supervisor=""),
    )
    errors = response.context["form"].errors
    assert {"repeat_weeks", "supervisor"} <= set(errors)
    assert len(errors) >= 3
    assert not Meeting.objects.filter(kind="supervision").exists()


def test_the_leader_records_attendance_and_the_peer_page_shows_last_and_next(client_for, cast):
    earlier = timezone.now() - datetime.timedelta(days=10)
    held = services.supervision_create(
        by=cast.leader.user,
        participants=[cast.peer],
        starts_at=earlier,
        ends_at=earlier + datetime.timedelta(hours=1),
        supervisor="Hanne Holm",
    )
    later = timezone.now() + datetime.timedelta(days=20)
    coming = services.supervision_create(
        by=cast.leader.user,
        participants=[cast.peer],
        starts_at=later,
        ends_at=later + datetime.timedelta(hours=1),
        supervisor="Hanne Holm",
    )
    status = selectors.supervision_of(cast.peer)
    assert (status.last, status.next) == (held, coming)
    attendance = reverse("education:meeting_attendance", args=[held.pk])
    assert client_for("leader").get(attendance).status_code == 200
    client_for("leader").post(attendance, {"people": [cast.peer.staff_member.pk]})
    assert held.attendance.filter(person=cast.peer.staff_member).exists()
    assert client_for("outsider").get(attendance).status_code == 404
    page = client_for("peer").get(reverse("peerprogram:peer_detail", args=[cast.peer.pk]))
    assert held.get_absolute_url() in page.content.decode()
    assert coming.get_absolute_url() in page.content.decode()
