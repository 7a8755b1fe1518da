"""Patients on the caseloads, referrals in every state, CHIME notes and group notes.

Every patient has recorded consent and is on the caseload of a peer worker of their own
unit (a few of two); a peer worker who left handed some patients to a colleague and ended
peer support with the rest. Notes are spread over the patients' time with peer support in
the last two years, written by a peer worker employed on the day. Each note has exactly
one current, approved version, as `journal.services.note_approve` leaves it: a few have
an earlier approved version, a few a draft change waiting for the patient, a few are
entered in error, a few carry a concern (some not yet passed on).
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db.models import OuterRef, Subquery

from journal import services as journal_services
from journal.models import (
    CHIME_FIELDS,
    GroupNote,
    Note,
    NoteAccess,
    NoteVersion,
    Patient,
    Place,
    Referral,
)
from peerprogram.models import PeerWorker, Unit

from . import texts
from .base import Weighted, World, aware, bulk, days, employed_on, weekday_on_or_after

CHUNK = 10_000  # notes held in memory at a time
ACTIVITIES = Weighted(
    {
        NoteVersion.Activity.CONVERSATION: 8,
        NoteVersion.Activity.BRIDGE: 2,
        NoteVersion.Activity.OTHER: 1,
    }
)
PLACES = [Place.OUTPATIENT, Place.HOME, Place.COMMUNITY, Place.WARD, Place.PHONE, Place.VIDEO]
CONSENT = Weighted(
    {
        Patient.ConsentGiven.ORALLY: 50,
        Patient.ConsentGiven.WRITING: 35,
        Patient.ConsentGiven.STAFF: 15,
    }
)
ROUTES = Weighted(
    {
        Referral.ContactRoute.PATIENT: 30,
        Referral.ContactRoute.CONTACT_PERSON: 35,
        Referral.ContactRoute.ACTION_PLAN: 30,
        Referral.ContactRoute.OTHER: 5,
    }
)


class Case:
    """A patient with who works with them and the days their notes can fall on."""

    __slots__ = ("patient", "primary", "transfer", "co", "first", "last", "count")

    def __init__(
        self,
        patient: Patient,
        primary: PeerWorker,
        transfer: PeerWorker | None,
        co: PeerWorker | None,
        first: datetime.date,
        last: datetime.date,
    ) -> None:
        self.patient, self.primary, self.transfer, self.co = patient, primary, transfer, co
        self.first, self.last, self.count = first, last, 0

    @property
    def peers(self) -> list[PeerWorker]:
        return [p for p in (self.primary, self.transfer, self.co) if p is not None]


def build(w: World) -> None:
    cases = _cases(w)
    bulk(Patient, [c.patient for c in cases])
    Through = Patient.peers.through
    bulk(
        Through,
        [Through(patient_id=c.patient.pk, peerworker_id=p.pk) for c in cases for p in c.peers],
    )
    _referrals(w, cases)
    _allocate(w, cases)
    _notes(w, cases)
    _group_notes(w)
    # The statistics read monthly figures that the services keep per note; after a bulk
    # load they are counted once from the notes.
    journal_services.peer_months_refresh()


def _prefix(unit: Unit) -> str:
    words = [word for word in unit.name.replace(",", " ").split() if word[0].isalpha()]
    return "".join(word[0] for word in words[:3]).upper()


def _cases(w: World) -> list[Case]:
    rng, today = w.rng, w.today
    # Peer workers who worked with patients in the period (at least a month of it).
    eligible = [
        p
        for p in w.peers
        if p.start_date <= today - days(30)
        and (p.end_date is None or p.end_date >= w.years_ago() + days(30))
    ]
    # The logins' caseloads first, of the same size at every scale: three patients each
    # with some history, then the rest of each; the other patients drawn among the others.
    logins = {id(p) for p in w.login_peers}
    others = [p for p in eligible if id(p) not in logins]
    weights = [p.hours_per_week / 30 if p.end_date is None else 0.6 for p in others]
    primaries = [p for p in w.login_peers for _ in range(3)]
    primaries += [p for p in w.login_peers for _ in range(w.scale.login_caseload - 3)]
    of_logins = len(primaries)
    primaries += rng.choices(others, weights, k=w.scale.patients - of_logins)
    current = {
        unit.pk: [p for p in w.peers_by_unit[unit.pk] if employed_on(p, today)] for unit in w.units
    }
    numbers: dict[int, int] = {}
    cases = []
    for index, peer in enumerate(primaries):
        unit = peer.staff_member.unit
        # A login's caseload stays its own size: no colleague's patient is handed or shared
        # to a login.
        colleagues = [q for q in current[unit.pk] if q is not peer and id(q) not in logins]
        first = max(peer.start_date + days(14), w.years_ago())
        if index < 3 * len(w.login_peers):  # a login's caseload: active, with some history
            consent = _early(w, first, today - days(45))
        else:
            consent = _early(w, first, (peer.end_date or today) - days(7))
        ended_on: datetime.date | None = None
        transfer: PeerWorker | None = None
        co: PeerWorker | None = None
        if peer.end_date:
            takers = [q for q in colleagues if q.start_date <= peer.end_date]
            if takers and rng.random() < 0.4:
                transfer = rng.choice(takers)
            else:
                ended_on = w.date_between(max(consent, peer.end_date - days(60)), peer.end_date)
        elif index >= of_logins and rng.random() < 0.22 and consent + days(30) < today - days(1):
            ended_on = w.date_between(consent + days(30), today - days(1))
        if rng.random() < 0.08:
            others = [q for q in colleagues if q is not transfer]
            co = rng.choice(others) if others else None
        numbers[unit.pk] = numbers.get(unit.pk, 10_000) + 1
        patient = Patient(
            unit=unit,
            name=rng.choice(texts.PATIENT_NAMES),
            reference=f"{_prefix(unit)}-{numbers[unit.pk]}",
            consent_date=consent,
            consent_given=CONSENT.pick(rng),
            status=Patient.Status.ENDED if ended_on else Patient.Status.ACTIVE,
            ended_on=ended_on,
            created_at=aware(consent, 10),
        )
        cases.append(Case(patient, peer, transfer, co, consent, ended_on or today - days(1)))
    return cases


def _early(w: World, first: datetime.date, last: datetime.date) -> datetime.date:
    """A day in the period, more often early: caseloads fill up in a peer worker's first
    months and then stay, so the notes spread over the years and do not pile up lately."""
    span = max((last - first).days, 0)
    return first + days(int(span * w.rng.random() ** 2))


def _referrals(w: World, cases: list[Case]) -> None:
    """Most patients came by a colleague's referral; some referrals wait for an answer, a
    few were declined."""
    rng, today = w.rng, w.today
    rows = []

    def referral(peer: PeerWorker, when: datetime.date, **fields: Any) -> Referral:
        unit_id = peer.staff_member.unit_id
        route = ROUTES.pick(rng)
        return Referral(
            unit_id=unit_id,
            peer=peer,
            referred_by=rng.choice([*w.colleagues[unit_id], w.leader[unit_id]]),
            reason=rng.choice(texts.REFERRAL_REASONS),
            contact_route=route,
            contact_other=texts.CONTACT_OTHER if route == Referral.ContactRoute.OTHER else "",
            created_at=aware(when, 11),
            **fields,
        )

    for case in cases:
        if rng.random() < 0.4:
            patient = case.patient
            when = max(case.first - days(rng.randint(1, 14)), case.primary.start_date)
            rows.append(
                referral(
                    case.primary,
                    when,
                    patient_name=patient.name,
                    patient_reference=patient.reference,
                    status=Referral.Status.ACCEPTED,
                    patient=patient,
                    decided_at=aware(case.first, 12),
                )
            )
    number = 90_000
    current = [p for p in w.peers if employed_on(p, today - days(30)) and not p.end_date]
    for peer in current:
        waiting = rng.choices([0, 1, 2], [60, 30, 10])[0] or int(peer is w.named["peer"])
        for _ in range(waiting):
            number += 1
            rows.append(
                referral(
                    peer,
                    today - days(rng.randint(0, 14)),
                    patient_name=rng.choice(texts.PATIENT_NAMES),
                    patient_reference=f"{_prefix(peer.staff_member.unit)}-{number}",
                )
            )
    for _ in range(max(1, len(cases) // 25)):
        peer = rng.choice(current)
        when = w.date_between(max(peer.start_date, w.years_ago()), today - days(3))
        number += 1
        rows.append(
            referral(
                peer,
                when,
                patient_name=rng.choice(texts.PATIENT_NAMES),
                patient_reference=f"{_prefix(peer.staff_member.unit)}-{number}",
                status=Referral.Status.DECLINED,
                decline_reason=rng.choice(texts.DECLINE_REASONS),
                decided_at=aware(when + days(rng.randint(1, 3)), 14),
            )
        )
    bulk(Referral, rows)


def _allocate(w: World, cases: list[Case]) -> None:
    """Exactly `notes` notes, in proportion to each patient's time with peer support."""
    rng = w.rng
    weights = [max((c.last - c.first).days, 0) * rng.uniform(0.5, 1.5) for c in cases]
    total = sum(weights) or 1.0
    shares = [w.scale.notes * weight / total for weight in weights]
    for case, share in zip(cases, shares, strict=True):
        case.count = int(share)
    missing = w.scale.notes - sum(c.count for c in cases)
    by_rest = sorted(range(len(cases)), key=lambda i: shares[i] - cases[i].count, reverse=True)
    for i in by_rest[:missing]:
        cases[i].count += 1
    # The logins' patients have a few notes each (the named peer's show every kind).
    for case in cases[: 3 * len(w.login_peers)]:
        while case.count < 3:
            max(cases, key=lambda c: c.count).count -= 1
            case.count += 1


def _contents(rng: random.Random, size: int = 400) -> list[dict[str, str]]:
    """A pool of note texts drawn from the Danish sentences, as the demo journal writes them."""
    pool = []
    for _ in range(size):
        text = {
            "connectedness": rng.choice(texts.CONNECTEDNESS) if rng.random() < 0.7 else "",
            "hope": rng.choice(texts.HOPE) if rng.random() < 0.8 else "",
            "identity": rng.choice(texts.IDENTITY) if rng.random() < 0.4 else "",
            "meaning": rng.choice(texts.MEANING) if rng.random() < 0.5 else "",
            "empowerment": rng.choice(texts.EMPOWERMENT) if rng.random() < 0.7 else "",
            "patient_words": rng.choice(texts.WORDS) if rng.random() < 0.3 else "",
            "next_steps": rng.choice(texts.NEXT_STEPS),
        }
        if not any(text[name] for name in CHIME_FIELDS):
            text["hope"] = rng.choice(texts.HOPE)
        pool.append(text)
    return pool


# What became of a note after it was approved; most notes stay as they were written.
ERROR, REVISED, DRAFT, OPEN_CONCERN, PASSED_CONCERN = "error", "revised", "draft", "open", "passed"
# The named peer worker's first three patients show each of them (case, note, what).
SHOWCASE = [(0, 0, REVISED), (0, 1, PASSED_CONCERN), (0, -1, DRAFT), (1, -2, ERROR)]
SHOWCASE += [(2, -1, OPEN_CONCERN)]


def _notes(w: World, cases: list[Case]) -> None:
    rng, today = w.rng, w.today
    pool = _contents(rng)
    buffer: list[tuple[Note, list[NoteVersion]]] = []
    for index, case in enumerate(cases):
        span = (case.last - case.first).days
        dated = []
        for _ in range(case.count):
            day = case.first + days(rng.randint(0, max(span, 0)))
            if day.weekday() >= 5 and day - days(day.weekday() - 4) >= case.first:
                day -= days(day.weekday() - 4)
            dated.append(day)
        dated.sort()
        shown = {}
        if index < 3:
            shown = {position % len(dated): what for i, position, what in SHOWCASE if i == index}
        active = case.patient.status == Patient.Status.ACTIVE
        for position, day in enumerate(dated):
            writer = case.primary
            # A patient is transferred only from a peer worker who left.
            end = case.primary.end_date
            if case.transfer is not None and end is not None and day > end:
                writer = case.transfer
            elif case.co is not None and day >= case.co.start_date and rng.random() < 0.2:
                writer = case.co
            if position in shown:
                became = {shown[position]}
            else:
                newest = position == len(dated) - 1 and active and day >= today - days(14)
                became = _became(rng, waiting=newest, recent=day >= today - days(30))
            buffer.append(_note(w, case, writer, day, rng.choice(pool), became))
        if len(buffer) >= CHUNK:
            _flush(w, buffer)
            buffer = []
    _flush(w, buffer)
    # Each note points at its newest approved version, set in one statement per status.
    current = Subquery(
        NoteVersion.objects.filter(note=OuterRef("pk"), status=NoteVersion.Status.APPROVED)
        .order_by("-number")
        .values("pk")[:1]
    )
    Note.objects.filter(error_reason="").update(status=Note.Status.FINAL, current=current)
    Note.objects.exclude(error_reason="").update(status=Note.Status.ERROR, current=current)


def _became(rng: random.Random, *, waiting: bool, recent: bool) -> set[str]:
    chance = rng.random()
    if chance < 0.003:
        return {ERROR}
    became = {REVISED} if chance < 0.033 else set()
    if rng.random() < 0.005:
        became.add(OPEN_CONCERN if recent and rng.random() < 0.3 else PASSED_CONCERN)
    if waiting and rng.random() < 0.15:
        became.add(DRAFT)
    return became


def _note(
    w: World,
    case: Case,
    writer: PeerWorker,
    day: datetime.date,
    text: dict[str, str],
    became: set[str],
) -> tuple[Note, list[NoteVersion]]:
    rng, now = w.rng, w.now
    written = aware(day, rng.randint(9, 15), rng.choice((0, 15, 30, 45)))
    # A draft until the final update (a final note needs its current version first).
    note = Note(patient=case.patient, peer=writer, status=Note.Status.DRAFT, created_at=written)
    activity = ACTIVITIES.pick(rng)
    first = NoteVersion(
        note=note,
        number=1,
        status=NoteVersion.Status.APPROVED,
        date=day,
        place=Place.COMMUNITY if activity == "bridge" else rng.choice(PLACES),
        activity=activity,
        minutes=rng.choice((30, 45, 45, 60, 90)),
        written_by=writer,
        saved_at=written,
        approved_at=written,
        **text,
    )
    versions = [first]
    if not became:
        return note, versions
    if ERROR in became:
        note.error_reason = rng.choice(texts.ERROR_REASONS)
        note.error_at = min(written + days(rng.randint(1, 5)), now)
    if REVISED in became:
        versions.append(_copy(first, 2, NoteVersion.Status.APPROVED, min(written + days(2), now)))
    if OPEN_CONCERN in became or PASSED_CONCERN in became:
        note.concern, note.concern_raised_at = True, written
    if PASSED_CONCERN in became:
        note.concern_passed_to = rng.choice(texts.CONCERN_PASSED_TO)
        note.concern_passed_at = min(written + datetime.timedelta(hours=rng.randint(1, 48)), now)
    if DRAFT in became:
        draft = _copy(versions[-1], len(versions) + 1, NoteVersion.Status.DRAFT, None)
        draft.saved_at = min(written + days(1), now)
        versions.append(draft)
    return note, versions


def _copy(
    version: NoteVersion, number: int, status: str, approved: datetime.datetime | None
) -> NoteVersion:
    fields = {name: getattr(version, name) for name in (*CHIME_FIELDS, "patient_words")}
    return NoteVersion(
        note=version.note,
        number=number,
        status=status,
        date=version.date,
        place=version.place,
        activity=version.activity,
        minutes=version.minutes,
        next_steps=texts.REVISED_NEXT_STEP,
        written_by=version.written_by,
        saved_at=approved or version.saved_at,
        approved_at=approved,
        **fields,
    )


def _flush(w: World, buffer: list[tuple[Note, list[NoteVersion]]]) -> None:
    """Insert a chunk of notes and their versions; log the co-writing of the recent ones."""
    if not buffer:
        return
    bulk(Note, [note for note, _ in buffer])
    bulk(NoteVersion, [v for _, versions in buffer for v in versions])
    recent = w.today - days(30)
    NoteAccess.objects.bulk_create(
        [
            NoteAccess(
                at=note.created_at,
                user=w.user(note.peer.staff_member),
                who=note.peer.staff_member.name,
                patient_id=note.patient.pk,
                note_id=note.pk,
                version_number=1,
                action=NoteAccess.Action.COWRITE,
            )
            for note, versions in buffer
            if versions[0].date >= recent
        ],
        batch_size=2_000,
    )


def _group_notes(w: World) -> None:
    """Half the peer workers run a group every week or every other week."""
    rng, today = w.rng, w.today
    rows = []
    for peer in w.peers:
        if rng.random() < 0.5:
            continue
        day = weekday_on_or_after(max(peer.start_date + days(30), w.years_ago()), rng.randint(0, 4))
        last = min(peer.end_date or today, today - days(1))
        step = days(7 * rng.choice((1, 2)))
        while day <= last:
            if rng.random() > 0.1:  # holidays and sick days
                rows.append(
                    GroupNote(
                        peer=peer,
                        co_facilitator=rng.choice(texts.CO_FACILITATORS),
                        date=day,
                        place=rng.choice((Place.OUTPATIENT, Place.WARD, Place.COMMUNITY)),
                        topic=rng.choice(texts.GROUP_TOPICS),
                        participants=rng.randint(3, 9),
                        minutes=rng.choice((60, 90, 90, 120)),
                        connectedness=rng.random() < 0.7,
                        hope=rng.random() < 0.7,
                        identity=rng.random() < 0.4,
                        meaning=rng.random() < 0.5,
                        empowerment=rng.random() < 0.6,
                        created_at=aware(day, 15),
                    )
                )
            day += step
    bulk(GroupNote, rows)
