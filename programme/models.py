"""What the programme app stores: only the acknowledgement of a signal. The signals
themselves are worked out from the other apps' facts each time (programme.signals)."""

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
