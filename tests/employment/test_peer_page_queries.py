"""The peer worker's page gathers the first years (mentor and buddy, supervision, the
function description, the follow-up talks) in a fixed number of queries, however long the
history."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from education import services as education_services
from employment import services
from mentoring import services as mentoring_services

from .helpers import started

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate

# Measured, equal at both sizes. The session, the user and the actor (3); the peer worker;
# the mentor and the buddy (2); the last and next supervision (1); the onboarding (the
# leader only); the education summary (the seat, the waiting list, the course records and
# the mandatory courses: 4); the function description's revisions (1); the talks, their
# actions and the rhythm (3). The session is not written back: the request before saved
# it (at most once a minute).
PEER_PAGE_QUERIES = {"leader": 16, "peer": 15}


def _history(cast, size: int) -> None:
    peer = started(cast, years=3)
    assert peer.mentorships.filter(mentor=cast.mentor).exists()  # the cast's mentor
    mentoring_services.mentor_assign(
        peer=peer,
        mentor=cast.other_peer.staff_member,
        start_date=peer.start_date,
        by=cast.leader.user,
        kind="buddy",
    )
    first = timezone.make_aware(
        datetime.datetime.combine(TODAY() - datetime.timedelta(weeks=6 * size), datetime.time(13))
    )
    education_services.supervision_create(
        by=cast.leader.user,
        participants=[peer],
        starts_at=first,
        ends_at=first + datetime.timedelta(hours=1),
        supervisor="Jens Bach",
        repeat_weeks=6,
        sessions=size + 1,
    )
    for n in range(size):
        services.talk_record(
            peer=peer,
            by=cast.leader.user,
            kind="mus" if n % 4 == 0 else "follow_up",
            date=peer.start_date + relativedelta(years=1, months=n),
            development="Kursus" if n % 4 == 0 else "",
            actions=[(f"Handling {n}", "peer", None)],
        )


@pytest.mark.parametrize("size", [1, 8])
@pytest.mark.parametrize("role", ["leader", "peer"])
def test_the_peer_page_reads_a_fixed_number_of_queries(
    client_for, cast, role, size, django_assert_num_queries
):
    _history(cast, size)
    client = client_for(role)
    url = reverse("peerprogram:peer_detail", args=[cast.peer.pk])
    client.get(url)
    with django_assert_num_queries(PEER_PAGE_QUERIES[role]):
        response = client.get(url)
    assert response.status_code == 200
    assert b"peer-supervision" in response.content and b"peer-follow-up" in response.content
