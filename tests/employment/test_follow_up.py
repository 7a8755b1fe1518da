"""The leader's follow-up talks and the yearly MUS: the rhythm, the record only the leader
and the peer worker read, the actions that carry over, moving and cancelling."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from employment import selectors, services
from employment.models import Talk, TalkAction
from peerprogram.models import AuditEvent

from .helpers import started

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_talks_are_due_every_14_days_in_probation_then_monthly_and_a_mus_yearly(cast):
    peer = started(cast, days=20)
    plan = selectors.follow_up_of(peer)
    # None held yet: the first talk was due 14 days after the start.
    assert plan.follow_up.date == peer.start_date + datetime.timedelta(days=14)
    assert plan.follow_up.overdue
    assert plan.mus.date == peer.start_date + relativedelta(years=1)
    services.talk_record(peer=peer, by=cast.leader.user, kind="follow_up", date=TODAY())
    assert selectors.follow_up_of(peer).follow_up.date == TODAY() + datetime.timedelta(days=14)
    # After probation: monthly.
    peer = started(cast, months=5)
    Talk.objects.all().delete()
    services.talk_record(peer=peer, by=cast.leader.user, kind="follow_up", date=TODAY())
    assert selectors.follow_up_of(peer).follow_up.date == TODAY() + relativedelta(months=1)
    # The rhythm is the leader's to change, per peer worker.
    services.rhythm_set(peer=peer, by=cast.leader.user, probation_days=21, after_months=2)
    assert selectors.follow_up_of(peer).follow_up.date == TODAY() + relativedelta(months=2)


def test_the_mus_recurs_every_year_while_employed(cast):
    peer = started(cast, years=2, months=1)
    first = peer.start_date + relativedelta(years=1)
    services.talk_record(
        peer=peer, by=cast.leader.user, kind="mus", date=first, development="Kursus i 2026"
    )
    plan = selectors.follow_up_of(peer)
    assert plan.mus.date == first + relativedelta(years=1) and plan.mus.overdue
    peer.end_date = TODAY() - datetime.timedelta(days=1)
    peer.save()
    ended = selectors.follow_up_of(peer)
    assert ended.follow_up is None and ended.mus is None


def test_the_leader_records_a_talk_with_actions_that_carry_over(client_for, cast):
    peer = started(cast, months=2)
    client = client_for("leader")
    url = reverse("employment:talk_record", args=[peer.pk])
    response = client.post(
        url,
        {
            "date": TODAY().isoformat(),
            "how_it_goes": "Travlt, men godt.",
            "workload": "too_much",
            "wellbeing": "4",
            "actions-TOTAL_FORMS": "3",
            "actions-INITIAL_FORMS": "0",
            "actions-0-text": "Færre henvisninger i december",
            "actions-0-responsible": "leader",
            "actions-0-due": (TODAY() + datetime.timedelta(days=14)).isoformat(),
            "actions-1-text": "",
            "actions-2-text": "",
        },
    )
    assert response.status_code == 302
    talk = Talk.objects.get()
    assert (talk.status, talk.workload, talk.wellbeing) == ("held", "too_much", 4)
    assert AuditEvent.objects.get(action="talk_record").summary == "follow_up"
    # The next talk shows the open action, which can be ticked there.
    plan = selectors.follow_up_of(peer)
    assert [a.text for a in plan.open_actions] == ["Færre henvisninger i december"]
    form = client.get(url).context["form"]
    assert list(form.fields["done_actions"].queryset) == plan.open_actions
    client.post(
        url,
        {
            "date": TODAY().isoformat(),
            "done_actions": [plan.open_actions[0].pk],
            "actions-TOTAL_FORMS": "3",
            "actions-INITIAL_FORMS": "0",
        },
    )
    assert TalkAction.objects.get().done_on == TODAY()
    assert selectors.follow_up_of(peer).open_actions == []


def test_every_error_of_a_talk_shows_at_once(client_for, cast):
    peer = started(cast, years=1, months=2)
    response = client_for("leader").post(
        reverse("employment:talk_record", args=[peer.pk]) + "?kind=mus",
        {
            "date": (TODAY() + datetime.timedelta(days=2)).isoformat(),
            "wellbeing": "9",
            "development": "",
            "how_it_goes": "Det her blev skrevet",
            "actions-TOTAL_FORMS": "3",
            "actions-INITIAL_FORMS": "0",
            "actions-0-text": "Uden ansvarlig",
            "actions-1-due": TODAY().isoformat(),
        },
    )
    assert response.status_code == 200
    # After the first year the MUS agrees a development plan: missing, said at once too.
    assert set(response.context["form"].errors) == {"date", "wellbeing", "development"}
    actions = response.context["actions"]
    assert actions.forms[0].errors == {"responsible": ["Skriv, hvem der gør det."]}
    assert "text" in actions.forms[1].errors
    assert "Det her blev skrevet" in response.content.decode()
    assert not Talk.objects.exists()


def test_a_talk_is_moved_or_cancelled_with_a_reason(client_for, cast):
    peer = started(cast, months=6)
    client = client_for("leader")
    url = reverse("employment:talk_change", args=[peer.pk])
    due = selectors.follow_up_of(peer).follow_up.date
    response = client.post(url, {"outcome": "moved", "reason": ""})
    assert set(response.context["form"].errors) == {"date"}
    later = TODAY() + datetime.timedelta(days=10)
    client.post(url, {"outcome": "moved", "date": later.isoformat(), "reason": "Ferie"})
    plan = selectors.follow_up_of(peer)
    assert plan.follow_up.date == later and plan.follow_up.planned.reason == "Ferie"
    client.post(url, {"outcome": "cancelled", "reason": "Sygdom"})
    cancelled = Talk.objects.get(status="cancelled")
    assert (cancelled.date, cancelled.reason) == (later, "Sygdom")
    # The rhythm goes on from the cancelled talk's day.
    assert selectors.follow_up_of(peer).follow_up.date == later + relativedelta(months=1)
    assert due != later


def test_only_the_leader_and_the_peer_read_the_talks(client_for, cast):
    peer = started(cast, months=2)
    talk = services.talk_record(
        peer=peer, by=cast.leader.user, kind="follow_up", date=TODAY(), how_it_goes="Fortroligt"
    )
    detail = reverse("employment:talk_detail", args=[talk.pk])
    assert "Fortroligt" in client_for("peer").get(detail).content.decode()
    for role in ("mentor", "centre", "admin", "outsider"):
        assert client_for(role).get(detail).status_code == 404, role
        page = client_for(role).get(reverse("peerprogram:peer_detail", args=[peer.pk]))
        assert page.status_code in (200, 404)
        assert "Fortroligt" not in page.content.decode()
        assert b"peer-follow-up" not in page.content
    # The peer worker reads, but does not record.
    record = reverse("employment:talk_record", args=[peer.pk])
    assert client_for("peer").get(record).status_code == 404
    page = client_for("peer").get(reverse("peerprogram:peer_detail", args=[peer.pk]))
    assert b"peer-follow-up" in page.content


def test_the_follow_up_page_reads_a_fixed_number_of_queries(
    client_for, cast, django_assert_num_queries
):
    peer = started(cast, months=8)
    for n in range(4):
        services.talk_record(
            peer=peer,
            by=cast.leader.user,
            kind="follow_up",
            date=TODAY() - datetime.timedelta(days=30 * n),
            actions=[(f"Handling {n}", "peer", None)],
        )
    client = client_for("peer")
    url = reverse("employment:follow_up", args=[peer.pk])
    client.get(url)
    # Session, user, actor, peer, talks, their actions, the rhythm (the session is not
    # written back: the request before saved it).
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


def test_a_rhythm_out_of_range_is_refused_on_its_fields(client_for, cast):
    response = client_for("leader").post(
        reverse("employment:rhythm_edit", args=[cast.peer.pk]),
        {"probation_days": "3", "after_months": "9"},
    )
    errors = response.context["form"].errors
    assert errors == {
        "probation_days": ["Samtaler i prøvetiden: hver 7. til 60. dag."],
        "after_months": ["Samtaler efter prøvetiden: hver 1. til 6. måned."],
    }
    assert response.context["form"]["probation_days"].value() == "3"


def test_the_leader_changes_who_is_responsible_for_an_action_and_the_peer_cannot(client_for, cast):
    peer = started(cast, months=2)
    talk = services.talk_record(
        peer=peer,
        by=cast.leader.user,
        kind="follow_up",
        date=TODAY(),
        actions=[("Aftal fast mødetid", "leader", None)],
    )
    action = talk.actions.get()
    url = reverse("employment:action_edit", args=[action.pk])
    follow_up = client_for("leader").get(reverse("employment:follow_up", args=[peer.pk]))
    assert url in follow_up.content.decode()
    client = client_for("leader")
    response = client.post(url, {"text": "", "responsible": "", "due": "31-02-2026"})
    assert set(response.context["form"].errors) == {"text", "responsible", "due"}
    later = TODAY() + datetime.timedelta(days=7)
    response = client.post(
        url, {"text": "Aftal fast mødetid", "responsible": "peer", "due": later.isoformat()}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.responsible, action.due) == ("peer", later)
    event = AuditEvent.objects.get(action="talk_action_edit")
    assert event.summary == "responsible, due"
    # The peer worker reads and ticks it, but does not change it.
    assert client_for("peer").get(url).status_code == 404
    page = client_for("peer").get(reverse("employment:follow_up", args=[peer.pk]))
    assert url not in page.content.decode() and "Peermedarbejder" in page.content.decode()
