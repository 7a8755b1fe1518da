"""The monthly counts behind the statistics (PeerMonth): kept by the services, exact at once.

Every step that changes what the statistics count is followed by a look at the
statistics and by a recount from the notes and referrals themselves: the stored months
and the recount must agree, row for row.
"""

import datetime
import importlib
from io import StringIO

import pytest
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from journal import selectors, services
from journal.models import (
    CHIME_FIELDS,
    GroupNote,
    Note,
    NoteVersion,
    PeerMonth,
    Referral,
)
from peerprogram.models import PeerWorker

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _m1() -> datetime.date:
    return TODAY().replace(day=1) - relativedelta(months=1)


def _m2() -> datetime.date:
    return TODAY().replace(day=1) - relativedelta(months=2)


def _patient(peer, reference="F-1"):
    return services.patient_create(
        by=None,
        peer=peer,
        name=f"Patient {reference}",
        reference=reference,
        consent_date=datetime.date(2024, 1, 1),
        consent_given="orally",
    )


def _draft(peer, patient, date, minutes=45, activity="conversation", **texts):
    note = services.note_start(
        patient=patient,
        peer=peer,
        by=None,
        date=date,
        place="outpatient",
        activity=activity,
        minutes=minutes,
    )
    draft = services.draft_of(note)
    services.draft_save(
        draft=draft, by=None, expected_version=draft.version, changes=texts or {"hope": "h"}
    )
    return note


def _approve(note):
    services.note_approve(note=note, by=None, expected_version=services.draft_of(note).version)


def _stored() -> dict:
    """The stored months with any activity: {(peer id, month): {name: count}}."""
    return {
        (row["peer_id"], row["month"]): {name: row[name] for name in selectors.COUNTED}
        for row in PeerMonth.objects.values("peer_id", "month", *selectors.COUNTED)
        if any(row[name] for name in selectors.COUNTED)
    }


def _the_same_as_a_recount():
    assert _stored() == selectors.count_peer_months()


def _pia(cast, *months):
    """Pia's figures for the months, as the statistics page reads them."""
    stats = selectors.statistics(PeerWorker.objects.filter(pk=cast.peer.pk), list(months))
    return [(f.notes, f.conversations, f.bridge, f.minutes, f.group_sessions) for f in stats.totals]


def test_every_change_to_a_note_shows_in_the_figures_at_once(cast):
    m2, m1 = _m2(), _m1()
    patient = _patient(cast.peer)
    note = _draft(cast.peer, patient, m1 + relativedelta(days=2), minutes=30, hope="h")
    # A draft is not counted.
    assert _pia(cast, m2, m1) == [(0, 0, 0, 0, 0), (0, 0, 0, 0, 0)]
    _approve(note)
    assert _pia(cast, m2, m1) == [(0, 0, 0, 0, 0), (1, 1, 0, 30, 0)]
    _the_same_as_a_recount()

    # A change waiting for approval is not counted; once approved, the note moves month.
    draft = services.note_revise(note=note, peer=cast.peer, by=None)
    services.draft_save(
        draft=draft,
        by=None,
        expected_version=draft.version,
        changes={"date": m2 + relativedelta(days=4), "activity": "bridge", "minutes": 50},
    )
    assert _pia(cast, m2, m1) == [(0, 0, 0, 0, 0), (1, 1, 0, 30, 0)]
    _approve(note)
    assert _pia(cast, m2, m1) == [(1, 0, 1, 50, 0), (0, 0, 0, 0, 0)]
    _the_same_as_a_recount()

    # A discarded change leaves the note as it stands.
    services.note_revise(note=note, peer=cast.peer, by=None)
    services.draft_discard(note=Note.objects.get(pk=note.pk), by=None)
    assert _pia(cast, m2, m1) == [(1, 0, 1, 50, 0), (0, 0, 0, 0, 0)]

    # Entered in error: no longer counted.
    services.note_mark_error(note=Note.objects.get(pk=note.pk), by=None, reason="Wrong patient")
    assert _pia(cast, m2, m1) == [(0, 0, 0, 0, 0), (0, 0, 0, 0, 0)]
    _the_same_as_a_recount()


def test_a_group_note_counts_in_the_month_of_its_date_and_moves_with_it(cast):
    m2, m1 = _m2(), _m1()
    group = services.group_note_create(
        by=None,
        peer=cast.peer,
        date=m1 + relativedelta(days=1),
        place="ward",
        topic="Søvn",
        participants=5,
        minutes=90,
        hope=True,
        meaning=True,
    )
    assert _pia(cast, m2, m1) == [(0, 0, 0, 0, 0), (0, 0, 0, 90, 1)]
    services.group_note_update(
        note=GroupNote.objects.get(pk=group.pk),
        by=None,
        expected_version=group.version,
        date=m2 + relativedelta(days=1),
        minutes=60,
    )
    assert _pia(cast, m2, m1) == [(0, 0, 0, 60, 1), (0, 0, 0, 0, 0)]
    stored = PeerMonth.objects.get(peer=cast.peer, month=m2)
    assert {name: getattr(stored, name) for name in CHIME_FIELDS} == {
        "connectedness": 0,
        "hope": 1,
        "identity": 0,
        "meaning": 1,
        "empowerment": 0,
    }
    _the_same_as_a_recount()


def test_the_months_of_removed_patients_are_counted_again(cast):
    m1 = _m1()
    kept, removed = _patient(cast.peer, "F-1"), _patient(cast.peer, "F-2")
    for patient in (kept, removed):
        _approve(_draft(cast.peer, patient, m1, minutes=20))
    assert _pia(cast, m1) == [(2, 2, 0, 40, 0)]
    services.patient_update(
        patient=removed,
        by=None,
        expected_version=removed.version,
        status="ended",
        ended_on=TODAY() - relativedelta(months=1),
    )
    # The retention period has passed for the ended patient only.
    counts = services.notes_remove_expired(today=TODAY() + relativedelta(years=20), months=12)
    assert counts["patients"] == 1
    assert _pia(cast, m1) == [(1, 1, 0, 20, 0)]
    _the_same_as_a_recount()


def _bulk_note(peer, patient, date, minutes):
    """A final note written straight into the tables, as a bulk load does, past the services."""
    note = Note.objects.create(patient=patient, peer=peer)
    version = NoteVersion.objects.create(
        note=note,
        number=1,
        status=NoteVersion.Status.APPROVED,
        approved_at=timezone.now(),
        date=date,
        place="ward",
        activity="conversation",
        minutes=minutes,
        hope="h",
        written_by=peer,
    )
    Note.objects.filter(pk=note.pk).update(current=version, status=Note.Status.FINAL)


def test_rebuild_statistics_counts_notes_loaded_past_the_services(cast):
    m1 = _m1()
    patient = _patient(cast.peer)
    _approve(_draft(cast.peer, patient, m1, minutes=30))
    _bulk_note(cast.peer, patient, m1, 40)
    _bulk_note(cast.other_peer, _patient(cast.other_peer, "X-1"), m1, 50)
    assert _pia(cast, m1) == [(1, 1, 0, 30, 0)]
    out = StringIO()
    call_command("rebuild_statistics", stdout=out)
    assert out.getvalue() == "Counted 2 month(s) of peer work.\n"
    assert _pia(cast, m1) == [(2, 2, 0, 70, 0)]
    _the_same_as_a_recount()


def test_the_migration_counts_the_notes_already_written(cast):
    """The data migration's own counting (with the models of its time) equals today's."""
    m2, m1 = _m2(), _m1()
    patient = _patient(cast.peer)
    _approve(_draft(cast.peer, patient, m1, minutes=30, hope="h", identity="i"))
    _approve(_draft(cast.peer, patient, m2, minutes=15, activity="other", meaning="m"))
    services.group_note_create(
        by=None,
        peer=cast.other_peer,
        date=m1,
        place="ward",
        topic="Håb",
        participants=4,
        minutes=60,
        hope=True,
    )
    expected = selectors.count_peer_months()
    PeerMonth.objects.all().delete()
    migration = importlib.import_module("journal.migrations.0002_statistics_months")
    migration.count(apps, None)
    assert _stored() == expected
    assert len(expected) == 3


def _programme(months):
    """The whole programme's totals, as the Centre's page reads them."""
    stats = selectors.statistics(PeerWorker.objects.all(), months, page=1)
    assert stats.by_unit
    return [(f.notes, f.minutes, f.referrals, f.accepted) for f in stats.totals]


def test_the_programme_totals_follow_every_note_and_referral_at_once(cast):
    this, m1 = TODAY().replace(day=1), _m1()
    months = [m1, this]
    assert _programme(months) == [(0, 0, 0, 0), (0, 0, 0, 0)]
    _approve(_draft(cast.peer, _patient(cast.peer), m1, minutes=30))
    _approve(_draft(cast.other_peer, _patient(cast.other_peer, "X-1"), m1, minutes=20))
    assert _programme(months) == [(2, 50, 0, 0), (0, 0, 0, 0)]
    referrals = [
        services.referral_create(
            by=None,
            referred_by=cast.mentor,
            peer=cast.peer,
            patient_name=f"R{i}",
            patient_reference=f"R-{i}",
            reason="Ønsker en samtale.",
            contact_route="patient",
        )
        for i in range(3)
    ]
    assert _programme(months) == [(2, 50, 0, 0), (0, 0, 3, 0)]
    services.referral_accept(referral=referrals[0], by=None)
    services.referral_decline(referral=referrals[1], by=None, reason="Fuld kalender")
    assert _programme(months) == [(2, 50, 0, 0), (0, 0, 3, 1)]
    _the_same_as_a_recount()
    # The retention removes the declined referral (and the never-answered one) in time.
    services.notes_remove_expired(today=TODAY() + relativedelta(years=20), months=12)
    assert Referral.objects.count() == 1
    assert _programme(months) == [(2, 50, 0, 0), (0, 0, 1, 1)]
    _the_same_as_a_recount()


def _refer(cast, peer, i):
    """A referral to the peer worker from a colleague of their own unit."""
    return services.referral_create(
        by=None,
        referred_by=cast.mentor if peer == cast.peer else cast.outsider,
        peer=peer,
        patient_name=f"R{i}",
        patient_reference=f"R-{i}",
        reason="Ønsker en samtale.",
        contact_route="patient",
    )


def test_a_peer_workers_month_keeps_the_referrals_made_to_them(cast):
    this = TODAY().replace(day=1)
    first, second = _refer(cast, cast.peer, 1), _refer(cast, cast.peer, 2)
    _refer(cast, cast.other_peer, 3)
    services.referral_accept(referral=first, by=None)
    services.referral_decline(referral=second, by=None, reason="Fuld kalender")
    pia = PeerMonth.objects.get(peer=cast.peer, month=this)
    assert (pia.referrals, pia.accepted, pia.notes) == (2, 1, 0)
    other = PeerMonth.objects.get(peer=cast.other_peer, month=this)
    assert (other.referrals, other.accepted) == (1, 0)
    stats = selectors.statistics(PeerWorker.objects.filter(pk=cast.peer.pk), [this])
    assert (stats.total.referrals, stats.total.accepted) == (2, 1)
    _the_same_as_a_recount()


def test_a_referral_counts_in_the_month_of_the_local_day_it_was_made(cast):
    """Made at 23:30 UTC on the last day of a month, it is the first of the next in Denmark."""
    m1 = _m1()
    referral = _refer(cast, cast.peer, 1)
    late = datetime.datetime.combine(
        m1 - datetime.timedelta(days=1), datetime.time(23, 30), tzinfo=datetime.UTC
    )
    Referral.objects.filter(pk=referral.pk).update(created_at=late)
    # Moved past the services: the months it left and came to are counted again.
    before = m1 - relativedelta(months=1)
    services.peer_months_refresh(keys=[(cast.peer.pk, day) for day in (before, m1, TODAY())])
    assert selectors.count_peer_months([cast.peer.pk])[(cast.peer.pk, m1)]["referrals"] == 1
    assert PeerMonth.objects.get(peer=cast.peer, month=m1).referrals == 1
    assert PeerMonth.objects.get(peer=cast.peer, month=before).referrals == 0
    _the_same_as_a_recount()


def test_the_referral_migration_counts_the_referrals_already_made(cast):
    """The data migration's own counting (with the models of its time) equals today's."""
    m1 = _m1()
    _approve(_draft(cast.peer, _patient(cast.peer), m1, minutes=30))
    services.referral_accept(referral=_refer(cast, cast.peer, 1), by=None)
    _refer(cast, cast.other_peer, 2)
    expected = _stored()
    PeerMonth.objects.filter(peer=cast.other_peer).delete()
    PeerMonth.objects.update(referrals=0, accepted=0)
    migration = importlib.import_module("journal.migrations.0004_peer_month_referrals")
    migration.count(apps, None)
    assert _stored() == expected
    assert sum(row["referrals"] for row in expected.values()) == 2


def test_a_bulk_load_counts_each_month_once_at_its_end(cast):
    """Within `peer_months_deferred` the months wait; at its end they equal a recount."""
    m1, m2 = _m1(), _m2()
    with services.peer_months_deferred():
        _approve(_draft(cast.peer, _patient(cast.peer), m1, minutes=30))
        _approve(_draft(cast.peer, _patient(cast.peer, "F-2"), m2, minutes=45))
        services.referral_accept(referral=_refer(cast, cast.peer, 1), by=None)
        assert _stored() == {}
    assert _stored()[(cast.peer.pk, m1)]["minutes"] == 30
    assert _stored()[(cast.peer.pk, m2)]["minutes"] == 45
    _the_same_as_a_recount()


def test_a_bulk_load_that_fails_counts_nothing(cast):
    with pytest.raises(RuntimeError), services.peer_months_deferred():
        _approve(_draft(cast.peer, _patient(cast.peer), _m1(), minutes=30))
        raise RuntimeError("the load stopped")
    assert _stored() == {}
    # Outside it, each change is counted at once again.
    _approve(_draft(cast.peer, _patient(cast.peer, "F-2"), _m1(), minutes=45))
    _the_same_as_a_recount()
