"""The programme's figures kept by the daily run: its level (what a lone peer worker's unit is
compared with on the statistics), read for the period it was worked out for, today only,
and every complete month's totals, which the Centre's statistics show with the month under
way counted live; any other period, or another day, is worked out from the peer workers'
months as before."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from journal import selectors
from journal.models import PeerMonth, ProgrammeFigures
from programme.services import programme_health_store
from tests.factories import PeerWorkerFactory

pytestmark = pytest.mark.django_db


def _period(today, last=None):
    months = selectors.months_back(last or today)
    return months, selectors.complete_months(months, today)


def test_the_daily_run_keeps_todays_level_of_the_usual_period_in_place_of_earlier_days():
    today = timezone.localdate()
    last_month = today.replace(day=1) - relativedelta(months=1)
    for conversations in (12, 30):  # two peer workers who recorded conversations last month
        PeerMonth.objects.create(
            peer=PeerWorkerFactory(),
            month=last_month,
            notes=conversations,
            conversations=conversations,
        )
    ProgrammeFigures.objects.create(day=today - datetime.timedelta(days=1), level=9.0)
    programme_health_store(today)
    programme_health_store(today)  # again the same day: still one row
    (kept,) = ProgrammeFigures.objects.all()
    months, complete = _period(today)
    assert kept.day == today
    assert kept.level is not None
    assert kept.level == selectors.programme_level(months, complete, today, stored=False)
    # Read back as the statistics read it, and changed by the next run only.
    PeerMonth.objects.filter(month=last_month).update(conversations=0)
    assert selectors.programme_level(months, complete, today) == kept.level
    assert selectors.programme_level(months, complete, today, stored=False) is None


def test_the_statistics_read_the_kept_level_for_its_period_and_day_only(
    django_assert_num_queries,
):
    today = timezone.localdate()
    months, complete = _period(today)
    ProgrammeFigures.objects.create(day=today, level=1.25)
    with django_assert_num_queries(1):
        assert selectors.programme_level(months, complete, today) == 1.25
    # Another period (the twelve months to last month): worked out now, no peer worker has
    # recorded anything, so there is no level.
    other, other_complete = _period(today, today - relativedelta(months=1))
    assert selectors.programme_level(other, other_complete, today) is None
    # Tomorrow today's level is not read.
    tomorrow = today + datetime.timedelta(days=1)
    assert selectors.programme_level(months, complete, tomorrow) is None


def _totals_of(stats):
    return [(f.notes, f.conversations, f.group_sessions, f.referrals) for f in stats.totals]


def test_the_centres_totals_read_the_kept_months_and_count_the_month_under_way_now(
    client, django_assert_num_queries
):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    months = [this_month - relativedelta(months=n) for n in (13, 2, 1, 0)]
    peers = [PeerWorkerFactory(start_date=months[0]) for _n in range(2)]
    for n, peer in enumerate(peers, start=1):
        for month in months:
            PeerMonth.objects.create(
                peer=peer, month=month, notes=3 * n, conversations=2 * n, referrals=n
            )
    centre = User.objects.create_superuser("figures-admin", password="x")
    client.force_login(centre)
    url = reverse("journal:statistics")
    before = client.get(url).context["stats"]
    assert before.totals_kept_at is None
    programme_health_store(today)
    kept = ProgrammeFigures.objects.get()
    # Every complete month from the first recorded, the empty ones too; not this month.
    stored = kept.month_totals["months"]
    assert list(stored)[0] == months[0].isoformat()
    assert list(stored)[-1] == months[2].isoformat() and this_month.isoformat() not in stored
    assert stored[months[1].isoformat()][:2] == [9, 6]
    assert stored[(months[0] + relativedelta(months=1)).isoformat()] == [0] * len(selectors.COUNTED)
    after = client.get(url)
    assert _totals_of(after.context["stats"]) == _totals_of(before)
    assert after.context["stats"].totals_kept_at == kept.made_at
    assert 'data-testid="totals-kept"' in after.content.decode()
    # A change after the run: the month under way counts at once, a complete month with
    # the next run.
    PeerMonth.objects.filter(month=this_month).update(conversations=10)
    PeerMonth.objects.filter(month=months[2]).update(conversations=10)
    later = client.get(url).context["stats"].totals
    assert later[-1].conversations == 20
    assert later[-2].conversations == 6
    programme_health_store(today)
    assert client.get(url).context["stats"].totals[-2].conversations == 20


def test_kept_totals_of_other_columns_are_not_read():
    today = timezone.localdate()
    last_month = today.replace(day=1) - relativedelta(months=1)
    PeerMonth.objects.create(peer=PeerWorkerFactory(), month=last_month, notes=2)
    programme_health_store(today)
    kept = ProgrammeFigures.objects.get()
    assert selectors.kept_month_totals(kept)[last_month][0] == 2
    kept.month_totals["columns"] = ["notes"]
    assert selectors.kept_month_totals(kept) == {}
    assert selectors.kept_month_totals(None) == {}
