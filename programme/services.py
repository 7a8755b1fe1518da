"""Writing what the programme app stores: the acknowledgement of a signal."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from peerprogram.models import PeerWorker
from peerprogram.services import audit

from .models import SignalAck
from .signals import quiet_until


@transaction.atomic
def signal_acknowledge(*, peer: PeerWorker, kind: str, comment: str, by: User) -> SignalAck:
    """The signal is seen and something is done: quiet for 30 days, then back if the
    situation persists."""
    ack = SignalAck(peer=peer, kind=kind, comment=comment, by=by, until=quiet_until())
    ack.full_clean()
    ack.save()
    audit(by=by, action="signal_acknowledge", obj=ack, summary=kind)
    return ack
