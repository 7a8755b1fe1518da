"""The programme's level (what a lone peer worker's unit is compared with on the statistics)
kept by the daily run: read for the period it was worked out for, today only; any other
period, or another day, is worked out from the peer workers' months as before."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from journal import selectors
from journal.models import PeerMonth, ProgrammeLevel
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
    ProgrammeLevel.objects.create(day=today - datetime.timedelta(days=1), level=9.0)
    programme_health_store(today)
    programme_health_store(today)  # again the same day: still one row
    (kept,) = ProgrammeLevel.objects.all()
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
    ProgrammeLevel.objects.create(day=today, level=1.25)
    with django_assert_num_queries(1):
        assert selectors.programme_level(months, complete, today) == 1.25
    # Another period (the twelve months to last month): worked out now, no peer worker has
    # recorded anything, so there is no level.
    other, other_complete = _period(today, today - relativedelta(months=1))
    assert selectors.programme_level(other, other_complete, today) is None
    # Tomorrow today's level is not read.
    tomorrow = today + datetime.timedelta(days=1)
    assert selectors.programme_level(months, complete, tomorrow) is None
