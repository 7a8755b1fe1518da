"""The whole programme's yearly figures as the daily run worked them out
(`store_programme_report`): the programme report reads them instead of two years of every
app's records on each request. Only the latest run's are kept."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StoredYear(models.Model):
    """One year of the programme report (figures.STORED_FIELDS, as JSON), counted up to
    the run's day."""

    day = models.DateField(_("day"))
    year = models.PositiveSmallIntegerField(_("year"))
    figures = models.JSONField(_("figures"))
    made_at = models.DateTimeField(_("worked out"), default=timezone.now)

    class Meta:
        ordering = ["-day", "-year"]
        verbose_name = _("stored report year")
        verbose_name_plural = _("stored report years")
        constraints = [
            models.UniqueConstraint(fields=["day", "year"], name="one_stored_year_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.year} ({self.day})"
