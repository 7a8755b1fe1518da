import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from journal import selectors as journal_selectors
from journal.models import PeerMonth
from mentoring.models import Mentorship
from peerprogram.access import get_actor
from peerprogram.models import PeerWorker, StaffMember, Unit

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")


def test_seed_demo_builds_the_fictional_region_and_is_idempotent(settings, demo_programme):
    """Seeded once (the session's demo snapshot), then again here."""
    settings.DEBUG = True
    counts = (Unit.objects.count(), StaffMember.objects.count(), PeerWorker.objects.count())
    call_command("seed_demo")
    assert (Unit.objects.count(), StaffMember.objects.count(), PeerWorker.objects.count()) == counts
    assert Unit.objects.filter(kind=Unit.Kind.FACT).count() == 8
    assert Unit.objects.filter(kind=Unit.Kind.INPATIENT).count() == 1
    assert StaffMember.objects.filter(is_centre_staff=True).count() == 2
    assert PeerWorker.objects.filter(start_date=datetime.date(2020, 9, 1)).exists()
    assert PeerWorker.objects.filter(start_date__gt=timezone.localdate()).exists()
    assert Mentorship.objects.filter(end_date__isnull=True).count() >= 4


def test_demo_logins_hold_the_documented_roles(demo_programme):
    users = {u.username: u for u in get_user_model().objects.all()}
    for name in ["admin", "center", "leder", "mentor", "peer", "leder2", "peer2"]:
        assert users[name].check_password("demo"), name
    assert get_actor(users["admin"]).is_admin
    assert get_actor(users["center"]).is_centre
    leder = get_actor(users["leder"])
    peer = get_actor(users["peer"])
    assert Unit.objects.get(pk__in=leder.led_unit_ids).name == "F-ACT Aalborg Øst"
    assert peer.peer.unit.name == "F-ACT Aalborg Øst"
    assert peer.peer.start_date == datetime.date(2020, 9, 1)
    assert get_actor(users["mentor"]).mentee_ids == {peer.peer.pk}
    assert get_actor(users["peer2"]).peer.unit == Unit.objects.get(
        pk__in=get_actor(users["leder2"]).led_unit_ids
    )


def test_the_demos_statistics_months_are_what_a_recount_gives(settings, monkeypatch):
    """The demo moves two referrals 20 days back past the services: on the 10th of a month
    into the month before. The kept months must still equal a recount."""
    settings.DEBUG = True
    tenth = timezone.now().replace(day=10, hour=12)
    monkeypatch.setattr(timezone, "now", lambda: tenth)
    call_command("seed_demo")
    names = journal_selectors.COUNTED
    stored = {
        (row["peer_id"], row["month"]): {name: row[name] for name in names}
        for row in PeerMonth.objects.values("peer_id", "month", *names)
        if any(row[name] for name in names)
    }
    assert stored == journal_selectors.count_peer_months()
    assert sum(row["referrals"] for row in stored.values()) >= 3
