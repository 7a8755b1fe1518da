"""One or two: a mentor and a buddy beside them, who may be an experienced peer worker from
another unit; the leader of the peer worker's unit decides."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from mentoring import selectors, services
from mentoring.models import Mentorship
from peerprogram import selectors as core_selectors
from peerprogram.models import PeerWorker
from tests.factories import PeerWorkerFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _experienced_peer(cast):
    return PeerWorkerFactory(
        staff_member__name="Erfaren Peer",
        staff_member__unit=cast.other_unit,
        start_date=TODAY() - relativedelta(years=3),
    )


def test_a_buddy_from_another_unit_beside_the_mentor(client_for, cast):
    veteran = _experienced_peer(cast)
    client = client_for("leader")
    url = reverse("mentoring:mentor_assign", args=[cast.peer.pk]) + "?kind=buddy"
    page = client.get(url)
    offered = {c.member: c for c in page.context["candidates"]}
    # Experienced peer workers only (a year or more), of any unit; not the mentor.
    assert veteran.staff_member in offered and cast.mentor not in offered
    assert "peermedarbejder i 3 år, i F-ACT Vest" in offered[veteran.staff_member].reasons
    response = client.post(
        url,
        {
            "mentor": veteran.staff_member.pk,
            "start_date": TODAY().isoformat(),
            "weekday": "1",
            "meeting_time": "10:00",
        },
    )
    assert response.status_code == 302
    active = Mentorship.objects.filter(peer=cast.peer, end_date__isnull=True)
    assert sorted(active.values_list("kind", flat=True)) == ["buddy", "mentor"]
    # The mentor stays the mentor everywhere the programme counts one.
    assert selectors.current_mentor_of(cast.peer) == cast.mentor
    named = core_selectors.peers_with_mentors(PeerWorker.objects.filter(pk=cast.peer.pk)).get()
    assert named.current_mentor == cast.mentor.name
    # The buddy reaches the peer worker's page, from their own unit.
    buddy_user = veteran.staff_member.user
    if buddy_user is not None:
        client.force_login(buddy_user)
        assert client.get(cast.peer.get_absolute_url()).status_code == 200


def test_at_most_one_mentor_and_one_buddy(cast):
    veteran = _experienced_peer(cast)
    services.mentor_assign(
        peer=cast.peer, mentor=veteran.staff_member, start_date=TODAY(), by=None, kind="buddy"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Mentorship.objects.create(
            peer=cast.peer, mentor=cast.leader, start_date=TODAY(), kind="buddy"
        )
    # Appointing a new buddy ends the old one as a new match; the mentor is untouched.
    second = PeerWorkerFactory(
        staff_member__unit=cast.unit, start_date=TODAY() - relativedelta(years=2)
    )
    services.mentor_assign(
        peer=cast.peer,
        mentor=second.staff_member,
        start_date=TODAY() + datetime.timedelta(days=1),
        by=None,
        kind="buddy",
    )
    kinds = Mentorship.objects.filter(peer=cast.peer, end_date__isnull=True).values_list(
        "kind", "mentor__name"
    )
    assert sorted(kinds) == [("buddy", second.staff_member.name), ("mentor", "Mads Mentor")]
    # The mentor cannot also be the buddy.
    with pytest.raises(ValidationError):
        services.mentor_assign(
            peer=cast.peer, mentor=cast.mentor, start_date=TODAY(), by=None, kind="buddy"
        )
