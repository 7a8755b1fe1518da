"""The daily run's reading of the programme's health: the Centre's home and the health
page read it instead of working out every peer worker's facts, and it says what the same
pages say worked out now; acknowledgements count at once; another day's run is not read."""

import dataclasses
import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import time_format

from peerprogram.models import Unit
from programme import selectors, services
from programme.models import HealthRun, SignalKind, SignalRecord, UnitHealthRecord

pytestmark = pytest.mark.django_db


def _lines(rows):
    return [
        {**dataclasses.asdict(row), "unit": row.unit.pk, "signals": +row.signals} for row in rows
    ]


def test_the_run_says_what_the_pages_work_out_now_on_the_demo_programme(demo_programme):
    today = timezone.localdate()
    run = services.programme_health_store(today)
    units = list(selectors.active_units())
    worked_out = _lines(selectors.unit_health(units, today))
    assert _lines(selectors.unit_health(units, today, run)) == worked_out
    # The demo has something in every column the run keeps, or the comparison says little.
    for column in ("employed", "overdue_checklists", "mentoring", "supervision", "signals"):
        assert any(line[column] for line in worked_out), column
    assert selectors.centre_figures(today, run) == selectors.centre_figures(today)
    assert selectors.centre_figures(today).open_signals > 0
    assert selectors.units_with_overdue_onboarding(
        today, run
    ) == selectors.units_with_overdue_onboarding(today)


def test_an_acknowledgement_after_the_run_counts_at_once(demo_programme):
    today = timezone.localdate()
    run = services.programme_health_store(today)
    record = SignalRecord.objects.filter(run=run).select_related("peer").first()
    before = selectors.centre_figures(today, run).signals[record.kind]
    (row,) = selectors.unit_health(selectors.active_units([record.unit_id]), today, run)
    services.signal_acknowledge(
        peer=record.peer, kind=record.kind, comment="Talt med lederen.", by=User.objects.first()
    )
    assert selectors.centre_figures(today, run).signals[record.kind] == before - 1
    (after,) = selectors.unit_health(selectors.active_units([record.unit_id]), today, run)
    assert after.signals[record.kind] == row.signals[record.kind] - 1
    assert selectors.centre_figures(today).signals[record.kind] == before - 1


def test_running_again_the_same_day_replaces_the_run(demo_programme):
    today = timezone.localdate()
    services.programme_health_store(today - datetime.timedelta(days=1))
    call_command("store_programme_health", stdout=io.StringIO())
    call_command("store_programme_health", stdout=io.StringIO())
    run = HealthRun.objects.get()
    assert run.day == today
    assert UnitHealthRecord.objects.filter(run=run).count() == len(selectors.active_units())
    assert SignalRecord.objects.exclude(run=run).count() == 0


def test_the_pages_say_when_the_run_worked_them_out_and_read_no_other_days_run(
    demo_programme, client
):
    today = timezone.localdate()
    centre = User.objects.get(username="center")
    client.force_login(centre)
    services.programme_health_store(today - datetime.timedelta(days=1))
    for url in (reverse("peerprogram:home"), reverse("programme:health")):
        response = client.get(url)
        assert response.status_code == 200
        assert 'data-testid="health-run"' not in response.content.decode()
    run = services.programme_health_store(today)
    for url in (reverse("peerprogram:home"), reverse("programme:health")):
        page = client.get(url).content.decode()
        assert 'data-testid="health-run"' in page
        with translation.override("da"):
            assert time_format(timezone.localtime(run.made_at), "TIME_FORMAT") in page


def test_a_unit_made_active_after_the_run_is_worked_out_now(demo_programme):
    today = timezone.localdate()
    unit = Unit.objects.filter(active=True, staff__peer__isnull=False).first()
    Unit.objects.filter(pk=unit.pk).update(active=False)
    services.programme_health_store(today)
    run = HealthRun.objects.get()
    Unit.objects.filter(pk=unit.pk).update(active=True)
    assert not UnitHealthRecord.objects.filter(run=run, unit=unit).exists()
    units = list(selectors.active_units())
    assert _lines(selectors.unit_health(units, today, run)) == _lines(
        selectors.unit_health(units, today)
    )


def _unit_lines(filters, page=None):
    from programme.views import _rows

    _shown, rows = _rows(filters, page)
    return [(row.unit.pk, line) for row, line in zip(rows, _lines(rows), strict=True)]


@pytest.mark.parametrize("signal", ["", *SignalKind.values])
def test_the_run_sorts_filters_and_pages_in_the_database_as_the_page_worked_out_now(
    demo_programme, rf, monkeypatch, signal
):
    from programme import views

    today = timezone.localdate()
    run = services.programme_health_store(today)
    # One signal acknowledged after the run: the order counts it at once.
    record = SignalRecord.objects.filter(run=run).select_related("peer").first()
    services.signal_acknowledge(
        peer=record.peer, kind=record.kind, comment="Talt med lederen.", by=User.objects.first()
    )
    monkeypatch.setattr(views, "HEALTH_PAGE_SIZE", 4)
    seen = set()
    for sort in views.SORTS:
        filters = views._health(rf.get("/", {"sort": sort, "signal": signal}))
        assert filters["run"] == run
        stored = _unit_lines(filters)
        worked_out = _unit_lines({**filters, "run": None})
        assert stored == worked_out, sort
        pages = []
        for number in range(1, max(1, -(-len(stored) // 4)) + 1):
            pages += _unit_lines(filters, str(number))
        assert pages == stored, sort
        seen.add(tuple(pk for pk, _line in stored))
    if not signal:
        # The demo's figures differ enough that the columns give different orders.
        assert len(seen) >= 6
        assert len(stored) > 8
