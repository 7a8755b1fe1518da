"""Writing what the programme app stores: the acknowledgement of a signal."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from peerprogram.models import PeerWorker, StaffMember
from peerprogram.services import audit, save_versioned

from .models import SignalAck


@transaction.atomic
def signal_acknowledge(*, peer: PeerWorker, kind: str, comment: str, by: User) -> SignalAck:
    """The signal is seen and something is done: quiet for 30 days, then back if the
    situation persists."""
    ack = SignalAck(peer=peer, kind=kind, comment=comment, by=by)
    ack.full_clean()
    ack.save()
    audit(by=by, action="signal_acknowledge", obj=ack, summary=kind)
    return ack


@transaction.atomic
def email_choices_save(
    *, member: StaffMember, by: User, expected_version: int, **changes: Any
) -> StaffMember:
    """A person's own choices for e-mail: the weekly digest on or off, its language."""
    summary = save_versioned(member, expected_version=expected_version, changes=changes)
    audit(by=by, action="email_choices", obj=member, summary=summary)
    return member
