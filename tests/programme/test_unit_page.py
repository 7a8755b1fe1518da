"""A unit's signals each lead to the place to act, one click away."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_lone_peer_workers_signal_leads_to_appointing_a_buddy(client_for, cast):
    page = client_for("leader").get(reverse("programme:unit", args=[cast.unit.pk]))
    html = page.content.decode()
    buddy = reverse("mentoring:mentor_assign", args=[cast.peer.pk]) + "?kind=buddy"
    assert f'href="{buddy}">Udpeg en buddy</a>' in html
    assert client_for("leader").get(buddy).status_code == 200


def test_alone_cannot_be_acknowledged_when_the_unit_has_two_peer_workers(client_for, cast):
    from tests.factories import PeerWorkerFactory

    PeerWorkerFactory(staff_member__unit=cast.unit)
    url = reverse("programme:signal_ack", args=[cast.peer.pk, "alone"])
    response = client_for("leader").post(url, {"comment": "Buddy aftalt"})
    assert response.status_code == 404
    from programme.models import SignalAck

    assert not SignalAck.objects.exists()
