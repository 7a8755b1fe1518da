"""Writes for mentorships. The mentoring issue adds matching and check-ins."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peerprogram.models import PeerWorker, StaffMember
from peerprogram.services import audit

from .models import Mentorship


@transaction.atomic
def mentor_assign(
    *, peer: PeerWorker, mentor: StaffMember, start_date: datetime.date, by
) -> Mentorship:
    """Appoint a mentor; an earlier active mentorship ends as a new match (history kept)."""
    if mentor.pk == peer.staff_member_id:
        raise ValidationError({"mentor": _("A peer worker cannot be their own mentor.")})
    if mentor.unit_id != peer.staff_member.unit_id:
        raise ValidationError({"mentor": _("The mentor must work in the peer worker's unit.")})
    current = (
        Mentorship.objects.select_for_update().filter(peer=peer, end_date__isnull=True).first()
    )
    if current:
        if current.mentor_id == mentor.pk:
            raise ValidationError({"mentor": _("This person is already the mentor.")})
        current.end_date = max(start_date, current.start_date)
        current.end_reason = Mentorship.EndReason.NEW_MATCH
        current.save(update_fields=["end_date", "end_reason"])
    mentorship = Mentorship(peer=peer, mentor=mentor, start_date=start_date)
    mentorship.full_clean()
    mentorship.save()
    audit(by=by, action="mentor_assign", obj=mentorship, summary=f"{mentor} → {peer}")
    return mentorship
