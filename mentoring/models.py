"""Who mentors whom. The mentoring issue adds matching and weekly check-ins."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from peerprogram.models import PeerWorker, StaffMember


class Mentorship(models.Model):
    class EndReason(models.TextChoices):
        PLANNED = "planned", _("Planned end")
        MENTOR_LEFT = "mentor_left", _("Mentor left")
        NEW_MATCH = "new_match", _("New match")
        PEER_LEFT = "peer_left", _("Peer worker left")
        OTHER = "other", _("Other")

    peer = models.ForeignKey(
        PeerWorker,
        verbose_name=_("peer worker"),
        on_delete=models.PROTECT,
        related_name="mentorships",
    )
    mentor = models.ForeignKey(
        StaffMember,
        verbose_name=_("mentor"),
        on_delete=models.PROTECT,
        related_name="mentorships",
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=20, choices=EndReason.choices, blank=True
    )

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        constraints = [
            models.UniqueConstraint(
                fields=["peer"],
                condition=Q(end_date__isnull=True),
                name="one_active_mentorship_per_peer",
                violation_error_message=_("This peer worker already has an active mentor."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="mentorship_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.peer}"

    @property
    def is_active(self) -> bool:
        return self.end_date is None
