"""What the programme app stores: the acknowledgement of a signal, and the whole
programme's health as the daily run worked it out (HealthRun). A unit's signals are worked
out from the other apps' facts each time it is shown (programme.signals); the pages over
the whole programme read the day's run, with the acknowledgements applied as they are."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerprogram.models import PeerWorker, no_control_characters


class SignalKind(models.TextChoices):
    DRIFT = "drift", _("Peer drift")
    ALONE = "alone", _("Alone at the workplace")
    FEW_REFERRALS = "few_referrals", _("Too few referrals")
    MANY_REFERRALS = "many_referrals", _("Too many referrals")
    WAITING = "waiting", _("Referrals waiting for an answer")
    ISOLATION = "isolation", _("Away from the peer community")
    SHORT = "short", _("A short employment")


class SignalAck(models.Model):
    """A leader or the Centre has seen a signal about a peer worker and says what is done
    about it. The signal stays quiet for 30 days (`until`); if the situation persists, it
    comes back."""

    kind = models.CharField(_("signal"), max_length=20, choices=SignalKind.choices)
    peer = models.ForeignKey(
        PeerWorker,
        verbose_name=_("peer worker"),
        on_delete=models.CASCADE,
        related_name="signal_acks",
    )
    comment = models.TextField(_("comment"), max_length=1000, validators=[no_control_characters])
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("acknowledged"), default=timezone.now)

    # How long an acknowledged signal stays quiet.
    QUIET_DAYS = 30

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("acknowledged signal")
        verbose_name_plural = _("acknowledged signals")
        indexes = [models.Index(fields=["peer", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.peer}"

    def get_absolute_url(self) -> str:
        return reverse("programme:unit", args=[self.peer.staff_member.unit_id])

    @property
    def until(self) -> datetime.date:
        """The last day the signal is quiet."""
        return timezone.localdate(self.created_at) + datetime.timedelta(days=self.QUIET_DAYS)

    @classmethod
    def quiet_since(cls, today: datetime.date) -> datetime.datetime:
        """Acknowledged at or after this moment: still quiet on `today`."""
        first = today - datetime.timedelta(days=cls.QUIET_DAYS)
        return timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))


class HealthRun(models.Model):
    """The whole programme's health on a day, worked out by the daily run
    (`store_programme_health`) from the same facts and rules as a unit's page. The Centre's
    home and the health page read it instead of working out some 1,500 peer workers' facts
    on every request; a day without a run is worked out as it is shown. Only the latest run
    is kept: it is a day's reading, not a history."""

    day = models.DateField(_("day"), unique=True)
    made_at = models.DateTimeField(_("worked out"), default=timezone.now)
    # Units with a checklist in progress with an overdue task (the Centre's home).
    overdue_units = models.PositiveIntegerField(_("units with overdue onboarding"), default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("programme health run")
        verbose_name_plural = _("programme health runs")

    def __str__(self) -> str:
        return str(self.day)


class UnitHealthRecord(models.Model):
    """A unit's line of the health page on the run's day, but its signals (SignalRecord,
    counted with the acknowledgements of the moment)."""

    run = models.ForeignKey(HealthRun, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey("peerprogram.Unit", on_delete=models.CASCADE, related_name="+")
    employed = models.PositiveIntegerField(_("peer workers employed"), default=0)
    overdue_checklists = models.PositiveIntegerField(_("overdue checklists"), default=0)
    mentoring = models.PositiveIntegerField(_("mentoring"), default=0)
    education = models.PositiveIntegerField(_("education"), default=0)
    supervision = models.PositiveIntegerField(_("supervision"), default=0)
    kept_one_year = models.PositiveSmallIntegerField(_("kept one year (%)"), null=True)

    class Meta:
        verbose_name = _("unit health record")
        verbose_name_plural = _("unit health records")
        constraints = [
            models.UniqueConstraint(fields=["run", "unit"], name="one_health_record_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.run}: {self.unit_id}"


class SignalRecord(models.Model):
    """A signal about a peer worker on the run's day, acknowledged or not (the pages apply
    the acknowledgements of the moment)."""

    run = models.ForeignKey(HealthRun, on_delete=models.CASCADE, related_name="signals")
    kind = models.CharField(_("signal"), max_length=20, choices=SignalKind.choices)
    peer = models.ForeignKey(PeerWorker, on_delete=models.CASCADE, related_name="+")
    # The peer worker's unit on the run's day (the health page counts by unit).
    unit = models.ForeignKey("peerprogram.Unit", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("signal record")
        verbose_name_plural = _("signal records")
        indexes = [models.Index(fields=["run", "unit"])]

    def __str__(self) -> str:
        return f"{self.run}: {self.get_kind_display()}"
