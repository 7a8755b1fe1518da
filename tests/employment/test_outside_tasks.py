"""The weekly log of tasks outside the function description: the peer worker or the
leader logs the hours, errors on their fields, entries add up and can be removed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from employment import selectors, services
from employment.models import OutsideTask
from peerprogram.models import AuditEvent

from .helpers import started

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _monday(weeks_back=0):
    return selectors.week_of(TODAY()) - datetime.timedelta(weeks=weeks_back)


def test_the_peer_worker_logs_hours_and_entries_of_a_week_add_up(client_for, cast):
    peer = started(cast, months=6)
    url = reverse("employment:outside_tasks", args=[peer.pk])
    client = client_for("peer")
    for hours in (3, 2):
        response = client.post(
            url, {"week": _monday(1).isoformat(), "kind": "care", "hours": hours, "note": "Medicin"}
        )
        assert response.status_code == 302
    weeks = selectors.outside_weeks(peer)
    assert [(week, total) for week, _tasks, total in weeks] == [(_monday(1), 5)]
    page = client.get(url).content.decode()
    assert "Pleje- eller behandlingsopgaver" in page and "5 timer" in page
    assert AuditEvent.objects.filter(action="outside_task_log").count() == 2


def test_every_error_of_a_logged_week_shows_at_once_and_keeps_what_was_typed(client_for, cast):
    peer = started(cast, months=6)
    url = reverse("employment:outside_tasks", args=[peer.pk])
    response = client_for("leader").post(
        url, {"week": "2020-01-01", "kind": "nope", "hours": "61", "note": "Kørsel"}
    )
    assert set(response.context["form"].errors) == {"week", "kind", "hours"}
    assert "Angiv timerne som et helt tal fra 1 til 60." in response.content.decode()
    assert 'value="Kørsel"' in response.content.decode()
    assert not OutsideTask.objects.exists()


def test_a_week_before_the_start_cannot_be_chosen(client_for, cast):
    peer = started(cast, days=3)
    form = client_for("leader").get(reverse("employment:outside_tasks", args=[peer.pk]))
    weeks = [value for value, _label in form.context["form"].fields["week"].choices]
    assert weeks == [_monday().isoformat()] or weeks == [
        _monday().isoformat(),
        _monday(1).isoformat(),
    ]
    with pytest.raises(services.ValidationError):
        services.outside_task_log(
            peer=peer, by=cast.leader.user, week=_monday(5), kind="care", hours=2
        )


def test_an_entry_is_removed_by_the_peer_or_the_leader_and_nobody_else(client_for, cast):
    peer = started(cast, months=6)
    task = services.outside_task_log(
        peer=peer, by=cast.leader.user, week=_monday(), kind="practical", hours=4
    )
    delete = reverse("employment:outside_task_delete", args=[task.pk])
    for role in ("mentor", "centre", "outsider"):
        assert client_for(role).post(delete).status_code == 404
        assert (
            client_for(role).get(reverse("employment:outside_tasks", args=[peer.pk])).status_code
            == 404
        )
    assert client_for("peer").post(delete).status_code == 302
    assert not OutsideTask.objects.exists()
