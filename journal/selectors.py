"""Reads of the journal: the caseload, a patient's notes, and the statistics.

The statistics read counts and CHIME flags only: never a note's text.
"""

from __future__ import annotations

import datetime
import statistics as pystats
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from peerprogram.models import PeerWorker, Unit

from .models import CHIME_FIELDS, GroupNote, Note, NoteAccess, NoteVersion, Patient, Referral

# What a list of notes may load: the facts, never the text.
META_FIELDS = (
    "id",
    "note_id",
    "number",
    "status",
    "date",
    "place",
    "activity",
    "minutes",
    "saved_at",
    "approved_at",
    "written_by_id",
    "version",
)


# What waits for the peer worker, defined once for the caseload's list and the home page's
# counts (Note.concern_open says the same of one note).
OPEN_CONCERN = Q(concern=True, concern_passed_at__isnull=True)


def _awaiting_approval() -> Q:
    """A draft, or a final note with a change the patient has not approved yet."""
    has_draft = Exists(
        NoteVersion.objects.filter(note=OuterRef("pk"), status=NoteVersion.Status.DRAFT)
    )
    return Q(status__in=[Note.Status.DRAFT, Note.Status.FINAL]) & Q(has_draft)


def caseload(peer: PeerWorker) -> QuerySet[Patient]:
    """The peer worker's patients, active first, with the last note and what is waiting."""
    final = Q(notes__status=Note.Status.FINAL)
    return (
        Patient.objects.filter(peers=peer)
        .select_related("unit")
        .annotate(
            last_note=Max("notes__current__date", filter=final),
            final_notes=Count("notes", filter=final, distinct=True),
        )
        .order_by("status", "name", "pk")
    )


@dataclass
class Waiting:
    """What a peer worker has to do in the journal, for the caseload and the home page."""

    referrals: list[Referral]
    drafts: list[Note]
    concerns: list[Note]

    @property
    def count(self) -> int:
        return len(self.referrals) + len(self.drafts) + len(self.concerns)


def waiting_for(peer: PeerWorker) -> Waiting:
    """Referrals to answer, drafts to finish with the patient, concerns to pass on."""
    referrals = list(
        Referral.objects.filter(peer=peer, status=Referral.Status.PENDING).select_related(
            "referred_by"
        )
    )
    notes = list(
        Note.objects.filter(patient__peers=peer)
        .filter(_awaiting_approval() | OPEN_CONCERN)
        .annotate(awaiting=ExpressionWrapper(_awaiting_approval(), output_field=BooleanField()))
        .select_related("patient")
        .order_by("created_at")
    )
    return Waiting(
        referrals=referrals,
        drafts=[n for n in notes if n.awaiting],
        concerns=[n for n in notes if n.concern_open],
    )


def waiting_counts(peer: PeerWorker) -> dict[str, int]:
    """The same as `waiting_for`, counted in one query (for the home page)."""

    def count(queryset) -> Coalesce:
        counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
        return Coalesce(Subquery(counted[:1], output_field=IntegerField()), 0)

    on_caseload = Note.objects.filter(patient__peers=OuterRef("pk"))
    return (
        PeerWorker.objects.filter(pk=peer.pk)
        .annotate(
            n_referrals=count(
                Referral.objects.filter(peer=OuterRef("pk"), status=Referral.Status.PENDING)
            ),
            n_drafts=count(on_caseload.filter(_awaiting_approval())),
            n_concerns=count(on_caseload.filter(OPEN_CONCERN)),
        )
        .values("n_referrals", "n_drafts", "n_concerns")
        .get()
    )


def patient_notes(patient: Patient) -> list[Note]:
    """The patient's notes with their versions' facts (no text), newest first."""
    versions = NoteVersion.objects.only(*META_FIELDS).order_by("number")
    notes = list(
        patient.notes.select_related("peer__staff_member")
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("-created_at", "-pk")
    )
    for note in notes:
        note.version_list = list(note.versions.all())
        note.shown = next((v for v in note.version_list if v.pk == note.current_id), None) or (
            note.version_list[-1] if note.version_list else None
        )
        note.draft = next(
            (v for v in note.version_list if v.status == NoteVersion.Status.DRAFT), None
        )
    notes.sort(key=lambda n: (n.shown.date if n.shown else datetime.date.min, n.pk), reverse=True)
    return notes


def note_versions(note: Note) -> list[NoteVersion]:
    return list(note.versions.only(*META_FIELDS).select_related("written_by__staff_member"))


@dataclass
class AccessLine:
    """One reading for the patient's report: a PDF of all notes is one line, not one per note."""

    at: datetime.datetime
    who: str
    action: str
    note_dates: list[datetime.date | None]


def access_report(patient: Patient) -> list[AccessLine]:
    """Who read the patient's notes, oldest first, with the date of each note read."""
    rows = list(NoteAccess.objects.filter(patient_id=patient.pk).order_by("at", "pk"))
    dates = dict(
        NoteVersion.objects.filter(note__patient=patient)
        .order_by("note_id", "number")
        .values_list("note_id", "date")
    )
    labels = dict(NoteAccess.Action.choices)
    lines: list[AccessLine] = []
    for row in rows:
        last = lines[-1] if lines else None
        # One request writes its rows within a moment of each other.
        if (
            last is not None
            and last.who == row.who
            and last.action == labels[row.action]
            and (row.at - last.at) < datetime.timedelta(seconds=2)
        ):
            last.note_dates.append(dates.get(row.note_id))
        else:
            lines.append(AccessLine(row.at, row.who, labels[row.action], [dates.get(row.note_id)]))
    return lines


def final_versions(patient: Patient) -> list[NoteVersion]:
    """The current text of each of the patient's final notes, oldest first (for the patient)."""
    return list(
        NoteVersion.objects.filter(
            current_of__patient=patient, current_of__status=Note.Status.FINAL
        )
        .select_related("note", "written_by__staff_member")
        .order_by("date", "pk")
    )


# Statistics ----------------------------------------------------------------------


def months_back(last: datetime.date, count: int = 12) -> list[datetime.date]:
    first = last.replace(day=1) - relativedelta(months=count - 1)
    return [first + relativedelta(months=i) for i in range(count)]


@dataclass
class Figures:
    """One month (or a total) of one peer worker, a unit or the whole selection."""

    notes: int = 0
    conversations: int = 0
    bridge: int = 0
    other: int = 0
    minutes: int = 0
    group_sessions: int = 0
    chime: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHIME_FIELDS, 0))
    referrals: int = 0
    accepted: int = 0
    contracted_hours: float = 0.0
    flag: str = ""  # "low" or "high": far from the unit's usual level

    @property
    def per_hour(self) -> float | None:
        if self.contracted_hours <= 0:
            return None
        return self.conversations / self.contracted_hours

    def add(self, other: Figures) -> None:
        for name in (
            "notes",
            "conversations",
            "bridge",
            "other",
            "minutes",
            "group_sessions",
            "referrals",
            "accepted",
            "contracted_hours",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in CHIME_FIELDS:
            self.chime[name] += other.chime[name]


@dataclass
class Row:
    """A peer worker or a unit, month by month, with the total of the period."""

    label: str
    unit: Unit
    months: list[Figures]
    total: Figures
    peer: PeerWorker | None = None
    usual: float | None = None
    flagged: int = 0  # for a unit: its peer workers' months far from the usual level

    @property
    def flags(self) -> int:
        return sum(1 for m in self.months if m.flag)


@dataclass
class Statistics:
    months: list[datetime.date]
    rows: list[Row]
    by_unit: bool
    totals: list[Figures]
    total: Figures


def contracted_hours(peer: PeerWorker, month: datetime.date, today: datetime.date) -> float:
    """The hours the peer worker was employed for in the month (up to today), from the contract."""
    first = max(month, peer.start_date)
    last = min(month + relativedelta(months=1) - datetime.timedelta(days=1), today)
    if peer.end_date:
        last = min(last, peer.end_date)
    days = (last - first).days + 1
    return max(days, 0) * peer.hours_per_week / 7


def _note_counts(unit_ids, start, end) -> dict:
    chime = {name: Count("pk", filter=~Q(**{name: ""})) for name in CHIME_FIELDS}
    rows = (
        NoteVersion.objects.filter(
            current_of__status=Note.Status.FINAL,
            current_of__peer__staff_member__unit_id__in=unit_ids,
            date__gte=start,
            date__lt=end,
        )
        .annotate(month=TruncMonth("date"))
        .values("current_of__peer_id", "month")
        .annotate(
            notes=Count("pk"),
            minutes=Sum("minutes"),
            conversations=Count("pk", filter=Q(activity=NoteVersion.Activity.CONVERSATION)),
            bridge=Count("pk", filter=Q(activity=NoteVersion.Activity.BRIDGE)),
            other=Count("pk", filter=Q(activity=NoteVersion.Activity.OTHER)),
            **chime,
        )
        .order_by()
    )
    return {(r["current_of__peer_id"], _month(r["month"])): r for r in rows}


def _group_counts(unit_ids, start, end) -> dict:
    themes = {name: Count("pk", filter=Q(**{name: True})) for name in CHIME_FIELDS}
    rows = (
        GroupNote.objects.filter(
            peer__staff_member__unit_id__in=unit_ids, date__gte=start, date__lt=end
        )
        .annotate(month=TruncMonth("date"))
        .values("peer_id", "month")
        .annotate(sessions=Count("pk"), minutes=Sum("minutes"), **themes)
        .order_by()
    )
    return {(r["peer_id"], _month(r["month"])): r for r in rows}


def _referral_counts(unit_ids, start, end) -> dict:
    tz = timezone.get_current_timezone()
    rows = (
        Referral.objects.filter(
            peer__staff_member__unit_id__in=unit_ids,
            created_at__date__gte=start,
            created_at__date__lt=end,
        )
        .annotate(month=TruncMonth("created_at", tzinfo=tz))
        .values("peer_id", "month")
        .annotate(
            received=Count("pk"),
            accepted=Count("pk", filter=Q(status=Referral.Status.ACCEPTED)),
        )
        .order_by()
    )
    return {(r["peer_id"], _month(r["month"])): r for r in rows}


def _month(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.replace(day=1)


def _figures(peer, month, today, notes, groups, referrals) -> Figures:
    key = (peer.pk, month)
    f = Figures(contracted_hours=contracted_hours(peer, month, today))
    if n := notes.get(key):
        f.notes, f.minutes = n["notes"], n["minutes"] or 0
        f.conversations, f.bridge, f.other = n["conversations"], n["bridge"], n["other"]
        for name in CHIME_FIELDS:
            f.chime[name] += n[name]
    if g := groups.get(key):
        f.group_sessions = g["sessions"]
        f.minutes += g["minutes"] or 0
        for name in CHIME_FIELDS:
            f.chime[name] += g[name]
    if r := referrals.get(key):
        f.referrals, f.accepted = r["received"], r["accepted"]
    return f


def statistics(
    peers: QuerySet[PeerWorker], months: list[datetime.date], *, by_unit: bool
) -> Statistics:
    """Month-by-month figures of the given peer workers (per peer, or summed per unit).

    The usual level of a unit is the median of its peer workers' conversations per
    contracted hour over the complete months shown, counted from each peer worker's first
    recorded activity; a month far below or above it is flagged (JOURNAL_LOAD_LOW / _HIGH).
    """
    today = timezone.localdate()
    start, end = months[0], months[-1] + relativedelta(months=1)
    shown = list(peers.select_related("staff_member__unit").order_by("staff_member__name"))
    unit_ids = {p.staff_member.unit_id for p in shown}
    # The usual level counts every peer worker of the unit, not only those shown.
    everyone = list(
        PeerWorker.objects.filter(staff_member__unit_id__in=unit_ids)
        .filter(start_date__lt=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .select_related("staff_member__unit")
    )
    notes = _note_counts(unit_ids, start, end)
    groups = _group_counts(unit_ids, start, end)
    referrals = _referral_counts(unit_ids, start, end)
    complete = [m for m in months if m + relativedelta(months=1) <= today.replace(day=1)]
    figures = {
        p.pk: [_figures(p, m, today, notes, groups, referrals) for m in months]
        for p in {*everyone, *shown}
    }
    usual = _usual_levels(everyone, figures, months, complete)
    rows = []
    for peer in shown:
        level = usual.get(peer.staff_member.unit_id)
        for month, f in _in_use(months, figures[peer.pk]):
            if month in complete and level and f.per_hour is not None:
                if f.per_hour < level * settings.JOURNAL_LOAD_LOW:
                    f.flag = "low"
                elif f.per_hour > level * settings.JOURNAL_LOAD_HIGH:
                    f.flag = "high"
        rows.append(
            Row(
                peer.name,
                peer.staff_member.unit,
                figures[peer.pk],
                _sum(figures[peer.pk]),
                peer=peer,
                usual=level,
            )
        )
    if by_unit:
        rows = _unit_rows(rows, months, usual)
    totals = [Figures() for _ in months]
    for row in rows:
        for total, f in zip(totals, row.months, strict=True):
            total.add(f)
    return Statistics(months=months, rows=rows, by_unit=by_unit, totals=totals, total=_sum(totals))


def _in_use(months, figures: list[Figures]) -> list[tuple[datetime.date, Figures]]:
    """The months from the peer worker's first recorded activity on: before it, the journal
    was not in use, and empty months there say nothing about the workload."""
    pairs = list(zip(months, figures, strict=True))
    first = next((i for i, (_m, f) in enumerate(pairs) if f.notes or f.group_sessions), None)
    return [] if first is None else pairs[first:]


def _usual_levels(everyone, figures, months, complete) -> dict[int, float]:
    rates: dict[int, list[float]] = {}
    for peer in everyone:
        for month, f in _in_use(months, figures[peer.pk]):
            if month in complete and f.per_hour is not None:
                rates.setdefault(peer.staff_member.unit_id, []).append(f.per_hour)
    return {unit: pystats.median(values) for unit, values in rates.items() if values}


def _sum(months: list[Figures]) -> Figures:
    total = Figures()
    for f in months:
        total.add(f)
    return total


def _unit_rows(rows: list[Row], months, usual) -> list[Row]:
    units: dict[int, Row] = {}
    for row in rows:
        unit_row = units.setdefault(
            row.unit.pk,
            Row(
                row.unit.name,
                row.unit,
                [Figures() for _ in months],
                Figures(),
                usual=usual.get(row.unit.pk),
            ),
        )
        for total, f in zip(unit_row.months, row.months, strict=True):
            total.add(f)
        unit_row.flagged += row.flags
        unit_row.total.add(row.total)
    return sorted(units.values(), key=lambda r: r.label)
