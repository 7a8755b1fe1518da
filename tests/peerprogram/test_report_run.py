"""The daily run's programme report: the Centre's report reads every year's figures as the
run kept them, and they are what the report works out now; the survey and outcomes are
read as they are; another day's run, or one kept by older code, is not read."""

import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import time_format

from peerprogram.models import Unit
from peerprogram.report import figures, presenters
from peerprogram.report.models import StoredYear
from peerprogram.report.services import programme_report_store

pytestmark = pytest.mark.django_db


def _stored_part(year: figures.YearFigures) -> dict:
    return {name: getattr(year, name) for name in figures.STORED_FIELDS}


def _text(report: figures.Report) -> list:
    return [
        (str(line.label), line.this, line.before, str(line.note))
        for section in presenters.sections(report)
        for line in section.lines
    ]


def test_the_run_keeps_what_the_report_works_out_now_for_every_year(demo_programme):
    today = timezone.localdate()
    years = range(figures.FIRST_YEAR, today.year + 1)
    live = {year: figures.report(None, year, today) for year in years}
    assert all(report.made_at is None for report in live.values())
    stored = programme_report_store(today)
    assert sorted(row.year for row in stored) == list(range(figures.FIRST_YEAR - 1, today.year + 1))
    for year in years:
        kept = figures.report(None, year, today)
        assert kept.made_at == stored[0].made_at
        for now, then in ((live[year].this, kept.this), (live[year].before, kept.before)):
            assert _stored_part(then) == _stored_part(now), year
        assert _text(kept) == _text(live[year]), year
        assert presenters.hours_chart(kept) == presenters.hours_chart(live[year])
        assert presenters.chime_chart(kept) == presenters.chime_chart(live[year])
    # The demo has figures in each part the run keeps, or the comparison says little.
    this, before = live[today.year].this, live[today.year].before
    for name in ("employed", "hired", "checklists", "checkins_held", "erfa_held", "notes"):
        assert getattr(this, name) or getattr(before, name), name
    assert this.hours_bands != before.hours_bands or this.employed


def test_running_again_the_same_day_replaces_the_run(demo_programme):
    today = timezone.localdate()
    programme_report_store(today - datetime.timedelta(days=1))
    call_command("store_programme_report", stdout=io.StringIO())
    out = io.StringIO()
    call_command("store_programme_report", stdout=out)
    assert f"{figures.FIRST_YEAR - 1}-{today.year}" in out.getvalue()
    assert set(StoredYear.objects.values_list("day", flat=True)) == {today}
    assert StoredYear.objects.count() == today.year - figures.FIRST_YEAR + 2


def test_another_days_run_and_a_run_by_older_code_are_not_read(demo_programme):
    today = timezone.localdate()
    programme_report_store(today - datetime.timedelta(days=1))
    assert figures.report(None, today.year, today).made_at is None
    programme_report_store(today)
    assert figures.report(None, today.year, today).made_at is not None
    # A year kept without a figure this code counts: worked out now.
    row = StoredYear.objects.get(year=today.year - 1)
    del row.figures["checkins_held"]
    row.save()
    report = figures.report(None, today.year, today)
    assert report.made_at is None and report.before.checkins_held >= 0


def test_a_units_report_is_always_worked_out_now(demo_programme):
    today = timezone.localdate()
    programme_report_store(today)
    unit = Unit.objects.filter(staff__peer__isnull=False).first()
    assert figures.report(unit, today.year, today).made_at is None


def test_the_page_and_the_pdf_say_when_the_run_worked_the_figures_out(demo_programme, client):
    client.force_login(User.objects.get(username="center"))
    today = timezone.localdate()
    url = reverse("peerprogram:programme_report")
    programme_report_store(today - datetime.timedelta(days=1))
    assert 'data-testid="report-run"' not in client.get(url).content.decode()
    (row, *_rest) = programme_report_store(today)
    page = client.get(url).content.decode()
    assert 'data-testid="report-run"' in page
    with translation.override("da"):
        assert time_format(timezone.localtime(row.made_at), "TIME_FORMAT") in page
    pdf = client.get(reverse("peerprogram:programme_report_pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_programme_report_from_the_run_asks_fewer_queries(
    demo_programme, client, django_assert_num_queries
):
    client.force_login(User.objects.get(username="center"))
    url = reverse("peerprogram:programme_report")
    client.get(url)  # saves the session (at most once a minute)
    programme_report_store(timezone.localdate())
    # The session, the user and the actor (3); the run's two years; the survey rounds, the
    # latest round's themes and the outcomes.
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200
