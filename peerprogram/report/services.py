"""The daily run's part of the programme report: every year it offers, worked out once."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from . import figures
from .models import StoredYear


def programme_report_store(today: datetime.date) -> list[StoredYear]:
    """Work out every year of the whole programme from the first the report offers (and
    the one before it, its comparison) up to today, and keep them in place of the last
    run's. Safe to run again the same day."""
    periods = [
        figures.Period.of(year, today) for year in range(today.year, figures.FIRST_YEAR - 2, -1)
    ]
    years = figures.year_figures(None, periods, today)
    made_at = timezone.now()
    with transaction.atomic():
        StoredYear.objects.all().delete()
        return StoredYear.objects.bulk_create(
            StoredYear(
                day=today,
                year=year.period.year,
                figures=figures.as_stored(year),
                made_at=made_at,
            )
            for year in years
        )
