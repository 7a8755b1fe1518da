"""How employments end (the reason, the exit talk, a temporary post's renewal), the peer
worker's background, and retention for leaders and the Centre."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from employment import selectors, services
from peerprogram.models import PeerWorker
from tests.factories import PeerWorkerFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _edit_data(peer, **changes):
    data = {
        "start_date": peer.start_date.isoformat(),
        "hours_per_week": peer.hours_per_week,
        "employment_form": peer.employment_form,
        "probation_months": peer.probation_months,
        "end_date": "",
        "end_reason": "",
        "end_reason_text": "",
        "lived_experience": "",
        "earlier_profession": "",
        "education": "",
        "version": peer.version,
    }
    data.update(changes)
    return data


def test_an_ending_asks_for_the_reason_all_at_once(client_for, cast):
    url = reverse("peerprogram:peer_edit", args=[cast.peer.pk])
    client = client_for("leader")
    response = client.post(url, _edit_data(cast.peer, end_date=TODAY().isoformat()))
    assert response.context["form"].errors == {
        "end_reason": [
            "Vælg, hvorfor ansættelsen ophører (en midlertidig stilling: stillingen ophørte)."
        ]
    }
    response = client.post(url, _edit_data(cast.peer, end_reason="other"))
    assert set(response.context["form"].errors) == {"end_date", "end_reason_text"}
    response = client.post(
        url,
        _edit_data(cast.peer, end_date=TODAY().isoformat(), end_reason="new_job"),
    )
    assert response.status_code == 302
    cast.peer.refresh_from_db()
    assert (cast.peer.end_date, cast.peer.end_reason) == (TODAY(), "new_job")


def test_fee_paid_and_volunteer_posts_are_warned_with_the_reason(client_for, cast):
    url = reverse("peerprogram:peer_edit", args=[cast.peer.pk])
    response = client_for("leader").post(
        url, _edit_data(cast.peer, employment_form="volunteer"), follow=True
    )
    assert "anbefalingerne til rekruttering" in response.content.decode()
    cast.peer.refresh_from_db()
    assert cast.peer.employment_form == "volunteer"


def test_the_background_is_for_the_leader_the_centre_and_the_peer_worker(client_for, cast):
    cast.peer.lived_experience = PeerWorker.LivedExperience.RELATIVE
    cast.peer.earlier_profession = "Social- og sundhedsassistent"
    cast.peer.save()
    page = reverse("peerprogram:peer_detail", args=[cast.peer.pk])
    for role in ("leader", "centre", "peer"):
        assert "Social- og sundhedsassistent" in client_for(role).get(page).content.decode()
    assert "Social- og sundhedsassistent" not in client_for("mentor").get(page).content.decode()


def test_a_temporary_post_asks_for_renewal_and_an_exit_talk(client_for, cast):
    cast.peer.end_date = TODAY() + relativedelta(months=1)
    cast.peer.end_reason = PeerWorker.EndReason.TEMPORARY
    cast.peer.save()
    plan = selectors.follow_up_of(cast.peer)
    assert plan.ending_soon and plan.exit_talk_due
    page = client_for("leader").get(reverse("employment:follow_up", args=[cast.peer.pk]))
    assert b'data-testid="ending-soon"' in page.content
    assert b'data-testid="exit-talk"' in page.content
    services.talk_record(
        peer=cast.peer, by=cast.leader.user, kind="exit", date=TODAY(), how_it_goes="Tak"
    )
    assert not selectors.follow_up_of(cast.peer).exit_talk_due
    # An exit talk does not move the rhythm of the follow-up talks.
    assert selectors.follow_up_of(cast.peer).follow_up.date < TODAY() + datetime.timedelta(days=20)


def test_retention_counts_who_stays_and_why_people_leave(client_for, cast):
    today = TODAY()
    start = today - relativedelta(years=3)
    PeerWorker.objects.filter(pk=cast.peer.pk).update(start_date=start)
    PeerWorkerFactory(
        staff_member__unit=cast.unit,
        start_date=start,
        end_date=start + relativedelta(months=18),
        end_reason="health",
    )
    PeerWorkerFactory(
        staff_member__unit=cast.unit,
        start_date=start,
        end_date=start + relativedelta(months=6),
        end_reason="new_job",
    )
    figures = selectors.retention(PeerWorker.objects.filter(staff_member__unit=cast.unit))
    unit = figures.units[0]
    assert (unit.peers, unit.employed, unit.left) == (3, 1, 2)
    assert unit.after_one == (2, 3) and unit.after_two == (1, 3)
    assert dict(figures.reasons) == {"Helbred": 1, "Eget ønske: nyt job": 1}
    page = client_for("leader").get(reverse("employment:retention"))
    assert page.status_code == 200
    assert "67 %" in page.content.decode()
    # The outsider leads another unit: their page counts none of these.
    other = client_for("outsider").get(reverse("employment:retention"))
    assert other.context["figures"].total.peers == 1


def test_the_retention_page_reads_a_fixed_number_of_queries(
    client_for, cast, django_assert_num_queries
):
    for _ in range(5):
        PeerWorkerFactory(staff_member__unit=cast.unit)
    client = client_for("centre")
    url = reverse("employment:retention")
    client.get(url)
    with django_assert_num_queries(4):
        assert client.get(url).status_code == 200
