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


def test_a_description_the_leader_agreed_to_waits_on_the_peer_workers_list(client_for, cast):
    from programme.actions import peer_list
    from programme.selectors import own_facts

    from .helpers import agreed_description

    agreed_description(cast.peer, agreed=False, hours_conversations=10)
    from django.utils import timezone

    today = timezone.localdate()
    todo = peer_list(own_facts(cast.peer, today), 0, [], today)
    (line,) = [a for a in todo.items if a.kind == "function_agree"]
    assert line.url == reverse("employment:function_page", args=[cast.peer.pk])
    assert not line.overdue(today)
    home = client_for("peer").get(reverse("peerprogram:home")).content.decode()
    assert "Læs og godkend din funktionsbeskrivelse" in home


def test_an_unknown_language_is_refused_on_its_field(client_for, cast):
    from peerprogram.models import StaffMember

    member = StaffMember.objects.get(pk=cast.peer.staff_member.pk)
    response = client_for("peer").post(
        reverse("programme:my_emails"),
        {"weekly_digest": "on", "language": "xx", "version": member.version},
    )
    assert set(response.context["form"].errors) == {"language"}
