"""Writing what the programme app stores: the acknowledgement of a signal, the daily
run's reading of the programme's health."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from journal import services as journal_services
from peerprogram.models import PeerWorker, StaffMember
from peerprogram.services import audit, save_versioned

from . import selectors, signals
from .models import HealthRun, SignalAck, SignalRecord, UnitHealthRecord


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


@transaction.atomic
def programme_health_store(today: datetime.date) -> HealthRun:
    """Work out the whole programme's health for `today` (every peer worker's facts, the
    same rules as a unit's page) and keep it as the day's run, in place of any earlier one.
    Safe to run again the same day: the run is worked out anew."""
    facts = signals.facts_of(PeerWorker.objects.all(), today, only=selectors.HEALTH_FACTS)
    found = signals.signals_of(facts, today)
    overdue = selectors.overdue_in_progress(today)
    units = {u.pk: selectors.UnitHealth(u) for u in selectors.active_units()}
    rows = selectors.health_rows(units, facts, found, overdue, today)
    HealthRun.objects.all().delete()
    run = HealthRun.objects.create(day=today, overdue_units=len(set(overdue.values())))
    UnitHealthRecord.objects.bulk_create(
        UnitHealthRecord(
            run=run,
            unit=row.unit,
            **{column: getattr(row, column) for column in selectors.STORED_COLUMNS},
        )
        for row in rows
    )
    SignalRecord.objects.bulk_create(
        SignalRecord(run=run, kind=signal.kind, peer_id=signal.peer.pk, unit_id=signal.peer.unit_of)
        for signal in found
    )
    # The programme's figures the statistics read: its level (what a lone peer worker's unit
    # is compared with) and the complete months' totals.
    journal_services.programme_figures_store(today)
    return run
