"""Reads of the journal: the caseload, a patient's notes, and the statistics.

The statistics read counts and CHIME flags only: never a note's text.
"""

from __future__ import annotations

import calendar
import datetime
import statistics as pystats
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.paginator import Page, Paginator
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
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from peerprogram.actions import Action
from peerprogram.models import PeerWorker

from .models import (
    CHIME_FIELDS,
    GroupNote,
    Note,
    NoteAccess,
    NoteVersion,
    Patient,
    PeerMonth,
    ProgrammeFigures,
    Referral,
)

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

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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


def _count(queryset: QuerySet[Any]) -> Coalesce:
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), 0)


def waiting_facts() -> dict[str, Any]:
    """Annotations of PeerWorker (OuterRef("pk")): what waits for the peer worker in the
    journal, as `waiting_for` counts it."""
    on_caseload = Note.objects.filter(patient__peers=OuterRef("pk"))
    return {
        "n_referrals": _count(
            Referral.objects.filter(peer=OuterRef("pk"), status=Referral.Status.PENDING)
        ),
        "oldest_referral": Subquery(
            Referral.objects.filter(peer=OuterRef("pk"), status=Referral.Status.PENDING)
            .order_by("created_at")
            .values("created_at")[:1]
        ),
        "n_drafts": _count(on_caseload.filter(_awaiting_approval())),
        "n_concerns": _count(on_caseload.filter(OPEN_CONCERN)),
    }


WAITING_COUNTS = ("n_referrals", "n_drafts", "n_concerns")


# A referral unanswered this long is a signal to the leader (issue: referral flow).
REFERRAL_WAIT_DAYS = 14
# The referral flow is compared over this many complete months.
FLOW_MONTHS = 3


def flow_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The complete months the activity and referral flow are counted over: [first, end)."""
    end = today.replace(day=1)
    return end - relativedelta(months=FLOW_MONTHS), end


def activity_facts(today: datetime.date) -> dict[str, Any]:
    """Annotations of PeerWorker (OuterRef("pk")): the peer worker's minutes of peer
    activity and referrals received over the last complete months, referrals waiting
    long for an answer, and the programme's referrals and contracted weekly hours over
    the same months (the same on every row), counting the peer workers employed through
    all of them."""
    first, end = flow_window(today)
    months = PeerMonth.objects.filter(peer=OuterRef("pk"), month__gte=first, month__lt=end)
    waiting = Referral.objects.filter(
        peer=OuterRef("pk"),
        status=Referral.Status.PENDING,
        created_at__lt=_local_midnight(today - datetime.timedelta(days=REFERRAL_WAIT_DAYS)),
    )
    through = Q(start_date__lte=first) & (Q(end_date__isnull=True) | Q(end_date__gte=end))
    everyone = PeerWorker.objects.filter(through)
    return {
        "minutes_window": Subquery(
            months.order_by().values("peer").annotate(v=Sum("minutes")).values("v")
        ),
        "referrals_window": Subquery(
            months.order_by().values("peer").annotate(v=Sum("referrals")).values("v")
        ),
        "referrals_waiting": _count(waiting),
        "referrals_waiting_since": Subquery(
            waiting.order_by("created_at").values("created_at")[:1]
        ),
        "programme_referrals": Subquery(
            PeerMonth.objects.filter(
                month__gte=first, month__lt=end, peer__in=everyone.values("pk")
            )
            .order_by()
            .annotate(v=Func(F("referrals"), function="SUM"))
            .values("v")[:1],
            output_field=IntegerField(),
        ),
        "programme_hours": Subquery(
            everyone.order_by()
            .annotate(v=Func(F("hours_per_week"), function="SUM"))
            .values("v")[:1],
            output_field=IntegerField(),
        ),
    }


# Notes per page of a patient's page: a long course of peer support has hundreds.
NOTES_PER_PAGE = 25


def patient_notes(patient: Patient, page: int | str = 1) -> Page:
    """A page of the patient's notes with their versions' facts (no text), the newest (by
    the date of the note as it stands, or of its draft) first."""
    last_date = NoteVersion.objects.filter(note=OuterRef("pk")).order_by("-number").values("date")
    notes = (
        patient.notes.select_related("peer__staff_member")
        .annotate(shown_date=Coalesce("current__date", Subquery(last_date[:1])))
        .order_by("-shown_date", "-pk")
    )
    shown = Paginator(notes, NOTES_PER_PAGE).get_page(page)
    versions = NoteVersion.objects.only(*META_FIELDS).order_by("number")
    prefetch_related_objects(list(shown.object_list), Prefetch("versions", queryset=versions))
    for note in shown.object_list:
        note.version_list = list(note.versions.all())
        note.shown = next((v for v in note.version_list if v.pk == note.current_id), None) or (
            note.version_list[-1] if note.version_list else None
        )
        note.draft = next(
            (v for v in note.version_list if v.status == NoteVersion.Status.DRAFT), None
        )
    return shown


def note_versions(note: Note) -> list[NoteVersion]:
    return list(note.versions.only(*META_FIELDS).select_related("written_by__staff_member"))


@dataclass
class AccessLine:
    """One reading for the patient's report: a PDF of all notes is one line, not one per note."""

    at: datetime.datetime
    who: str
    action: StrOrPromise  # the label, translated when the report is written
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
            if row.note_id is not None:
                last.note_dates.append(dates.get(row.note_id))
        else:
            read = [dates.get(row.note_id)] if row.note_id is not None else []
            lines.append(AccessLine(row.at, row.who, labels[row.action], read))
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

# Rows per page of the statistics: units programme-wide, peer workers within a unit.
STATISTICS_PER_PAGE = 25

# What PeerMonth keeps of a peer worker's month, in this order (Figures has the same names).
COUNTED = (
    "notes",
    "conversations",
    "bridge",
    "other",
    "minutes",
    "group_sessions",
    *CHIME_FIELDS,
    "referrals",
    "accepted",
)
# A month without any activity.
# A peer worker's month as its counts, in the order of COUNTED.
Counts = tuple[int, ...]
NOTHING: Counts = (0,) * len(COUNTED)
_NOTES, _CONVERSATIONS, _GROUP_SESSIONS, _REFERRALS, _ACCEPTED = (
    COUNTED.index(n) for n in ("notes", "conversations", "group_sessions", "referrals", "accepted")
)
_CHIME = slice(COUNTED.index(CHIME_FIELDS[0]), COUNTED.index(CHIME_FIELDS[-1]) + 1)


def months_back(last: datetime.date, count: int = 12) -> list[datetime.date]:
    first = last.replace(day=1) - relativedelta(months=count - 1)
    return [first + relativedelta(months=i) for i in range(count)]


def complete_months(months: list[datetime.date], today: datetime.date) -> list[bool]:
    """Whether each month is over (before this one)."""
    first_open = today.replace(day=1)
    return [m + relativedelta(months=1) <= first_open for m in months]


@dataclass(slots=True)
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
        # Spelled out, without getattr: a page adds up hundreds of these.
        self.notes += other.notes
        self.conversations += other.conversations
        self.bridge += other.bridge
        self.other += other.other
        self.minutes += other.minutes
        self.group_sessions += other.group_sessions
        self.referrals += other.referrals
        self.accepted += other.accepted
        self.contracted_hours += other.contracted_hours
        chime = self.chime
        for name, n in other.chime.items():
            chime[name] += n


@dataclass
class Row:
    """A peer worker or a unit, month by month, with the total of the period."""

    label: str
    unit: UnitRef
    months: list[Figures]
    total: Figures
    peer_id: int | None = None
    usual: float | None = None
    flagged: int = 0  # for a unit: its peer workers' months far from the usual level

    @property
    def flags(self) -> int:
        return sum(1 for m in self.months if m.flag)


@dataclass
class Statistics:
    """The rows (all, or one page of them) and the totals of every peer worker selected.

    By unit, the totals hold the counts only (the database adds them up): contracted
    hours are added up per peer worker and per unit, where the usual level is compared.
    """

    months: list[datetime.date]
    rows: list[Row]
    by_unit: bool
    totals: list[Figures]
    total: Figures
    page: Page | None = None
    # Every unit of the peer workers given, by name (also when one unit was chosen).
    units: list[UnitRef] = field(default_factory=list)
    # When the daily run counted the whole programme's complete months in the totals, if
    # they were read from it (the month under way is counted now).
    totals_kept_at: datetime.datetime | None = None


def contracted_hours(peer: PeerWorker, month: datetime.date, today: datetime.date) -> float:
    """The hours the peer worker was employed for in the month (up to today), from the contract."""
    return _hours(peer, month, _last_day(month), today)


def _last_day(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _hours(
    peer: PeerWorker | _Peer, first: datetime.date, last: datetime.date, today: datetime.date
) -> float:
    first = max(first, peer.start_date)
    last = min(last, today)
    if peer.end_date and peer.end_date < last:
        last = peer.end_date
    days = (last - first).days + 1
    return days * peer.hours_per_week / 7 if days > 0 else 0.0


def count_peer_months(
    peer_ids: Collection[int] | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> dict[tuple[int, datetime.date], dict[str, int]]:
    """Peer workers' months counted from the final notes, the group notes and the referrals
    themselves (what PeerMonth keeps): {(peer id, first day of the month): {name in
    COUNTED: count}}. A referral counts in the month of the local day it was made."""
    versions = NoteVersion.objects.filter(current_of__status=Note.Status.FINAL)
    groups = GroupNote.objects.all()
    referrals = Referral.objects.all()
    if peer_ids is not None:
        versions = versions.filter(current_of__peer_id__in=peer_ids)
        groups = groups.filter(peer_id__in=peer_ids)
        referrals = referrals.filter(peer_id__in=peer_ids)
    if start is not None:
        versions, groups = versions.filter(date__gte=start), groups.filter(date__gte=start)
        referrals = referrals.filter(created_at__gte=_local_midnight(start))
    if end is not None:
        versions, groups = versions.filter(date__lt=end), groups.filter(date__lt=end)
        referrals = referrals.filter(created_at__lt=_local_midnight(end))
    counted: dict[tuple[int, datetime.date], dict[str, int]] = {}

    def month_of(peer_id: int, month: datetime.date) -> dict[str, int]:
        return counted.setdefault((peer_id, _month(month)), dict.fromkeys(COUNTED, 0))

    chime = {name: Count("pk", filter=~Q(**{name: ""})) for name in CHIME_FIELDS}
    for r in (
        versions.annotate(month=TruncMonth("date"))
        .values("current_of__peer_id", "month")
        .annotate(
            n_notes=Count("pk"),
            n_minutes=Sum("minutes"),
            n_conversations=Count("pk", filter=Q(activity=NoteVersion.Activity.CONVERSATION)),
            n_bridge=Count("pk", filter=Q(activity=NoteVersion.Activity.BRIDGE)),
            n_other=Count("pk", filter=Q(activity=NoteVersion.Activity.OTHER)),
            **{f"n_{name}": n for name, n in chime.items()},
        )
        .order_by()
    ):
        f = month_of(r["current_of__peer_id"], r["month"])
        for name in ("notes", "conversations", "bridge", "other", *CHIME_FIELDS):
            f[name] += r[f"n_{name}"]
        f["minutes"] += r["n_minutes"] or 0
    themes = {f"n_{name}": Count("pk", filter=Q(**{name: True})) for name in CHIME_FIELDS}
    for r in (
        groups.annotate(month=TruncMonth("date"))
        .values("peer_id", "month")
        .annotate(n_sessions=Count("pk"), n_minutes=Sum("minutes"), **themes)
        .order_by()
    ):
        f = month_of(r["peer_id"], r["month"])
        f["group_sessions"] += r["n_sessions"]
        f["minutes"] += r["n_minutes"] or 0
        for name in CHIME_FIELDS:
            f[name] += r[f"n_{name}"]
    # TruncMonth of a date and time truncates in the current (local) time zone.
    for r in (
        referrals.annotate(month=TruncMonth("created_at"))
        .values("peer_id", "month")
        .annotate(
            received=Count("pk"),
            accepted=Count("pk", filter=Q(status=Referral.Status.ACCEPTED)),
        )
        .order_by()
    ):
        f = month_of(r["peer_id"], timezone.localtime(r["month"]))
        f["referrals"] += r["received"]
        f["accepted"] += r["accepted"]
    return counted


@dataclass(frozen=True, slots=True)
class ActivityMix:
    """What one peer worker recorded in some full months: counts of activities, no text."""

    first_month: datetime.date
    last_month: datetime.date
    conversations: int
    group_sessions: int
    bridge: int
    other: int

    @property
    def total(self) -> int:
        return self.conversations + self.group_sessions + self.bridge + self.other


def activity_mix(
    peer: PeerWorker, months: int = 3, today: datetime.date | None = None
) -> ActivityMix:
    """The peer worker's recorded activities of the last `months` full months, counted from
    their months of peer work (one query)."""
    this_month = (today or timezone.localdate()).replace(day=1)
    first = this_month - relativedelta(months=months)
    sums = PeerMonth.objects.filter(peer=peer, month__gte=first, month__lt=this_month).aggregate(
        conversations=Sum("conversations"),
        group_sessions=Sum("group_sessions"),
        bridge=Sum("bridge"),
        other=Sum("other"),
    )
    return ActivityMix(
        first_month=first,
        last_month=this_month - relativedelta(months=1),
        **{name: value or 0 for name, value in sums.items()},
    )


def _month(value: datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.replace(day=1)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _peer_months(
    peer_ids: list[int], start: datetime.date, end: datetime.date
) -> dict[tuple[int, datetime.date], Counts]:
    rows = (
        PeerMonth.objects.filter(peer_id__in=peer_ids, month__gte=start, month__lt=end)
        .order_by()
        .values_list("peer_id", "month", *COUNTED)
    )
    return {(r[0], r[1]): r[2:] for r in rows}


def _month_sums(rows: QuerySet[PeerMonth]) -> dict[datetime.date, Counts]:
    """These peer months added up per month, by the database."""
    return {
        r[0]: r[1:]
        for r in rows.values("month")
        .annotate(**{f"n_{name}": Sum(name) for name in COUNTED})
        .order_by()
        .values_list("month", *(f"n_{name}" for name in COUNTED))
    }


def _totals(
    peers: QuerySet[PeerWorker],
    months: list[datetime.date],
    *,
    every_peer: bool,
    kept: dict[datetime.date, Counts] | None = None,
) -> list[Figures]:
    """Every selected peer worker's figures added up per month, by the database. With
    `every_peer` (the whole programme is selected), the months of every peer worker are
    added up without asking which ones, and the months `kept` by the daily run are taken
    from it (`kept_month_totals`): only the others are added up now."""
    kept = kept if every_peer and kept else {}
    live = [month for month in months if month not in kept]
    sums: dict[datetime.date, Counts] = {}
    if live:
        rows = PeerMonth.objects.filter(month__in=live)
        if not every_peer:
            rows = rows.filter(peer_id__in=peers.values("pk"))
        sums = _month_sums(rows)
    return [_figures(kept.get(month) or sums.get(month, NOTHING), 0.0) for month in months]


def month_totals_to_keep(today: datetime.date) -> dict[str, Any]:
    """Every complete month's totals of every peer worker, from the first month anything
    was recorded to the last one before this: what ProgrammeFigures keeps (one query)."""
    first_open = today.replace(day=1)
    sums = _month_sums(PeerMonth.objects.filter(month__lt=first_open))
    kept: dict[str, list[int]] = {}
    month = min(sums, default=first_open)
    while month < first_open:
        kept[month.isoformat()] = list(sums.get(month, NOTHING))
        month += relativedelta(months=1)
    return {"columns": list(COUNTED), "months": kept}


def programme_figures(today: datetime.date, *, totals: bool) -> ProgrammeFigures | None:
    """Today's figures of the programme from the daily run, if it has run (the month
    totals read only when asked for)."""
    rows = ProgrammeFigures.objects.filter(day=today)
    return (rows if totals else rows.defer("month_totals")).first()


def kept_month_totals(kept: ProgrammeFigures | None) -> dict[datetime.date, Counts]:
    """The complete months' totals the daily run kept (none when it kept other columns
    than the statistics count today)."""
    if kept is None or kept.month_totals.get("columns") != list(COUNTED):
        return {}
    return {
        datetime.date.fromisoformat(month): tuple(counts)
        for month, counts in kept.month_totals["months"].items()
    }


class UnitRef(NamedTuple):
    """A statistics row's unit: what the page and the export show of it."""

    pk: int
    name: str


class _Peer(NamedTuple):
    """What the statistics need of a peer worker (read as a tuple: a page reads dozens)."""

    pk: int
    name: str
    unit: UnitRef
    start_date: datetime.date
    end_date: datetime.date | None
    hours_per_week: int
    shown: bool


def _peers_to_count_query(
    peers: QuerySet[PeerWorker], unit_ids: list[int], start: datetime.date, end: datetime.date
) -> QuerySet[PeerWorker, tuple[Any, ...]]:
    is_shown = Q(pk__in=peers.values("pk"))
    in_period = Q(start_date__lt=end) & (Q(end_date__isnull=True) | Q(end_date__gte=start))
    return (
        PeerWorker.objects.filter(staff_member__unit_id__in=unit_ids)
        .filter(is_shown | in_period)
        .annotate(shown=ExpressionWrapper(is_shown, output_field=BooleanField()))
        .order_by("staff_member__name", "pk")
        .values_list(
            "pk",
            "staff_member__name",
            "staff_member__unit_id",
            "staff_member__unit__name",
            "start_date",
            "end_date",
            "hours_per_week",
            "shown",
        )
    )


def _units_of(peers: QuerySet[PeerWorker]) -> QuerySet[PeerWorker, tuple[str, int]]:
    """(unit name, unit id) of the units of the peer workers given."""
    return (
        peers.order_by().values_list("staff_member__unit__name", "staff_member__unit_id").distinct()
    )


def _peers_to_count(
    peers: QuerySet[PeerWorker], unit_ids: list[int], start: datetime.date, end: datetime.date
) -> list[_Peer]:
    """The peer workers of the units: those selected (`shown`), and everyone employed in
    the period, whom the unit's usual level is taken from."""
    rows = _peers_to_count_query(peers, unit_ids, start, end)
    units: dict[int, UnitRef] = {}
    return [
        _Peer(
            pk,
            name,
            units.setdefault(unit_id, UnitRef(unit_id, unit_name)),
            start_date,
            end_date,
            hours,
            bool(shown),
        )
        for pk, name, unit_id, unit_name, start_date, end_date, hours, shown in rows
    ]


def statistics(
    peers: QuerySet[PeerWorker],
    months: list[datetime.date],
    *,
    by_unit: bool | None = None,
    page: int | str | None = None,
    unit: int | None = None,
    every_peer: bool = False,
) -> Statistics:
    """Month-by-month figures of the given peer workers (per peer, or summed per unit; by
    unit when they work in more than one and `by_unit` is None), for consecutive months;
    with `unit`, of those of that unit only.

    The usual level of a unit is the median of its peer workers' conversations per
    contracted hour over the complete months shown, counted from each peer worker's first
    recorded activity; a month far below or above it is flagged (JOURNAL_LOAD_LOW / _HIGH).
    With `page`, the rows are that page of STATISTICS_PER_PAGE units (or peer workers);
    the totals always cover every peer worker given. `every_peer`: `peers` is every peer
    worker of the programme (the caller knows; it saves asking the database which). The
    counts come from PeerMonth.
    """
    today = timezone.localdate()
    start, end = months[0], months[-1] + relativedelta(months=1)
    # The units, in the order of their names as Python sorts them on every database.
    of_units = sorted(_units_of(peers))
    # Every unit given, for choosing one (read here, where the units are read anyway).
    choices = [UnitRef(pk, name) for name, pk in of_units]
    if unit is not None:
        of_units = [u for u in of_units if u[1] == unit]
        peers = peers.filter(staff_member__unit_id=unit)
    units = [pk for _name, pk in of_units]
    if by_unit is None:
        by_unit = len(units) > 1
    shown_page: Page[Any] | None = None  # a page of units, or of peer workers
    if by_unit and page is not None:
        shown_page = Paginator(units, STATISTICS_PER_PAGE).get_page(page)
        units = list(shown_page)
    loaded = _peers_to_count(peers, units, start, end)
    shown = [p for p in loaded if p.shown]
    if not by_unit and page is not None:
        shown_page = Paginator(shown, STATISTICS_PER_PAGE).get_page(page)
    stored = _peer_months([p.pk for p in loaded], start, end)
    # Plain tuples per peer worker and month: a page adds up thousands of them.
    counts = {p.pk: [stored.get((p.pk, m), NOTHING) for m in months] for p in loaded}
    spans = [(m, _last_day(m)) for m in months]
    # A contract's hours month by month depend on its dates within the period and its
    # weekly hours only: most peer workers share them with others (worked out once).
    contracts: dict[tuple[datetime.date, datetime.date | None, int], list[float]] = {}
    hours: dict[int, list[float]] = {}
    for p in loaded:
        key = (
            max(p.start_date, start),
            p.end_date if p.end_date and p.end_date < end else None,
            p.hours_per_week,
        )
        if key not in contracts:
            contracts[key] = [_hours(p, m, last, today) for m, last in spans]
        hours[p.pk] = contracts[key]
    complete = complete_months(months, today)
    rates = {p.pk: _rates(counts[p.pk], hours[p.pk], complete) for p in loaded}
    # The usual level counts every peer worker of the unit employed in the period, not
    # only those shown.
    levels: dict[int, list[float]] = {}
    working: dict[int, int] = {}
    for p in loaded:
        if p.start_date < end and (not p.end_date or p.end_date >= start):
            levels.setdefault(p.unit.pk, []).extend(r for _i, r in rates[p.pk])
            working[p.unit.pk] = working.get(p.unit.pk, 0) + 1
    usual = {unit: pystats.median(values) for unit, values in levels.items() if values}
    # By unit, the database adds up the months for the totals (a page of units holds some
    # of the peer workers). Given every peer worker's units, those are the programme's.
    whole_programme = by_unit and every_peer and unit is None
    kept = programme_figures(today, totals=whole_programme)
    kept_totals = kept_month_totals(kept) if whole_programme else {}
    totals = _totals(peers, months, every_peer=whole_programme, kept=kept_totals) if by_unit else []
    # A unit with one peer worker is compared with the programme, never with itself (read
    # whether or not one is shown, so that the page costs the same whatever the units);
    # the programme's conversations come from its totals when they were read.
    level = programme_level(
        months,
        complete,
        today,
        conversations=(
            sum(t.conversations for t, done in zip(totals, complete, strict=True) if done)
            if whole_programme
            else None
        ),
        stored=kept is not None,
        kept=kept,
    )
    for lone in [pk for pk, n in working.items() if n == 1]:
        if level:
            usual[lone] = level
        else:
            usual.pop(lone, None)
    low, high = settings.JOURNAL_LOAD_LOW, settings.JOURNAL_LOAD_HIGH
    flags: dict[int, dict[int, str]] = {}
    for p in shown:
        level = usual.get(p.unit.pk)
        if level:
            flags[p.pk] = {
                i: "low" if rate < level * low else "high"
                for i, rate in rates[p.pk]
                if rate < level * low or rate > level * high
            }

    def added_up(pks: list[int]) -> tuple[list[Figures], Figures]:
        """The peer workers' months added up, column by column: (each month, the period)."""
        if len(pks) == 1:
            per_month, month_hours = counts[pks[0]], hours[pks[0]]
        elif pks:
            per_month = [
                tuple(map(sum, zip(*m, strict=True)))
                for m in zip(*(counts[pk] for pk in pks), strict=True)
            ]
            month_hours = [sum(h) for h in zip(*(hours[pk] for pk in pks), strict=True)]
        else:
            per_month, month_hours = [NOTHING] * len(months), [0.0] * len(months)
        figures = [_figures(c, h) for c, h in zip(per_month, month_hours, strict=True)]
        return figures, _figures(tuple(map(sum, zip(*per_month, strict=True))), sum(month_hours))

    rows = []
    if by_unit:
        of_unit: dict[UnitRef, list[int]] = {}
        for p in shown:
            of_unit.setdefault(p.unit, []).append(p.pk)
        for ref, pks in of_unit.items():
            row = Row(ref.name, ref, *added_up(pks), usual=usual.get(ref.pk))
            row.flagged = sum(len(flags.get(pk, ())) for pk in pks)
            rows.append(row)
        rows.sort(key=lambda r: r.label)
        total = _sum(totals)  # added up by the database, above
    else:
        for p in shown_page.object_list if shown_page else shown:
            figures, period = added_up([p.pk])
            for i, flag in flags.get(p.pk, {}).items():
                figures[i].flag = flag
            rows.append(
                Row(p.name, p.unit, figures, period, peer_id=p.pk, usual=usual.get(p.unit.pk))
            )
        # Per peer worker, every one selected is loaded (all their units are).
        totals, total = added_up([p.pk for p in shown])
    return Statistics(
        months=months,
        rows=rows,
        by_unit=by_unit,
        totals=totals,
        total=total,
        page=shown_page,
        units=choices,
        totals_kept_at=(
            kept.made_at if kept is not None and any(m in kept_totals for m in months) else None
        ),
    )


def programme_level(
    months: list[datetime.date],
    complete: list[bool],
    today: datetime.date,
    *,
    conversations: int | None = None,
    stored: bool = True,
    kept: ProgrammeFigures | None = None,
) -> float | None:
    """The programme's conversations per contracted hour over the complete months shown:
    every peer worker's conversations added up over their contracted hours. What a unit
    with a single peer worker is compared with. Read from the daily run's ProgrammeFigures
    (`kept`, when the caller has read them) for the usual period, the twelve months to
    today's (one query, at any scale); else (or with
    `stored=False`) worked out now: two more queries, one when the caller has added up the
    programme's `conversations` of those months."""
    chosen = [m for m, done in zip(months, complete, strict=True) if done]
    if not chosen:
        return None
    if stored and months == months_back(today):
        kept = kept or programme_figures(today, totals=False)
        if kept is not None:
            return kept.level
    first, end = chosen[0], chosen[-1] + relativedelta(months=1)
    if conversations is None:
        summed = (
            PeerMonth.objects.filter(month__gte=first, month__lt=end)
            .order_by()
            .annotate(v=Func(F("conversations"), function="SUM"))
            .values_list("v", flat=True)[:1]
        )
        conversations = next(iter(summed), None) or 0
    # Most contracts share their dates and hours with others: each worked out once.
    contracts: dict[tuple[Any, ...], int] = {}
    # Only the contracts of peer workers who recorded anything in those months: before a
    # peer worker takes the journal in use, their empty months say nothing of the work.
    recording = PeerMonth.objects.filter(
        peer=OuterRef("pk"), month__gte=first, month__lt=end
    ).filter(Q(notes__gt=0) | Q(group_sessions__gt=0))
    for contract in (
        PeerWorker.objects.filter(start_date__lt=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .filter(Exists(recording))
        .order_by()
        .values_list("start_date", "end_date", "hours_per_week")
    ):
        contracts[contract] = contracts.get(contract, 0) + 1
    # The complete months are consecutive and past: a contract's hours over them are its
    # days within them (worked out once, not month by month).
    last = _last_day(chosen[-1])
    hours = 0.0
    for (start_date, end_date, weekly), n in contracts.items():
        peer = _Peer(0, "", UnitRef(0, ""), start_date, end_date, weekly, False)
        hours += n * _hours(peer, first, last, today)
    return conversations / hours if hours and conversations else None


def _rates(
    counts: list[Counts], hours: list[float], complete: list[bool]
) -> list[tuple[int, float]]:
    """(month index, conversations per contracted hour) of the complete months from the
    peer worker's first recorded activity on: before it the journal was not in use, and
    empty months there say nothing about the workload."""
    first = next((i for i, c in enumerate(counts) if c[_NOTES] or c[_GROUP_SESSIONS]), len(counts))
    return [
        (i, counts[i][_CONVERSATIONS] / hours[i])
        for i in range(first, len(counts))
        if complete[i] and hours[i] > 0
    ]


def _figures(c: Counts, hours: float) -> Figures:
    """A month (or a period) from its counts, in the order of COUNTED."""
    return Figures(
        c[0],
        c[1],
        c[2],
        c[3],
        c[4],
        c[5],
        dict(zip(CHIME_FIELDS, c[_CHIME], strict=True)),
        c[_REFERRALS],
        c[_ACCEPTED],
        hours,
    )


def _sum(months: list[Figures]) -> Figures:
    total = Figures()
    for f in months:
        total.add(f)
    return total


def peer_actions(peer: Any, today: datetime.date) -> list[Action]:
    """What waits for the peer worker in the journal (annotated with `waiting_facts`)."""
    actions = []
    if peer.n_referrals:
        actions.append(
            Action(
                "referrals",
                ngettext("%(n)s referral to answer", "%(n)s referrals to answer", peer.n_referrals)
                % {"n": peer.n_referrals},
                peer.name,
                # Since the oldest was received (waiting, not a due date).
                timezone.localdate(peer.oldest_referral) if peer.oldest_referral else None,
                reverse("journal:referral_list"),
                waiting=True,
            )
        )
    if peer.n_drafts:
        actions.append(
            Action(
                "drafts",
                ngettext(
                    "%(n)s note awaits the patient's approval",
                    "%(n)s notes await the patient's approval",
                    peer.n_drafts,
                )
                % {"n": peer.n_drafts},
                peer.name,
                None,
                reverse("journal:caseload"),
            )
        )
    if peer.n_concerns:
        actions.append(
            Action(
                "concerns",
                ngettext(
                    "%(n)s concern to pass on to the team",
                    "%(n)s concerns to pass on to the team",
                    peer.n_concerns,
                )
                % {"n": peer.n_concerns},
                peer.name,
                None,
                reverse("journal:caseload"),
            )
        )
    return actions


def patient_activity(patient_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per patient: the approved (final) notes, their minutes, and how many of them
    addressed each CHIME element. Counts only, never content (one query): for research
    exports of patients who agreed to research."""
    chime = {f"n_{name}": Count("pk", filter=~Q(**{name: ""})) for name in CHIME_FIELDS}
    rows = (
        NoteVersion.objects.filter(
            current_of__patient_id__in=patient_ids, current_of__status=Note.Status.FINAL
        )
        .values("current_of__patient_id")
        .annotate(n_notes=Count("pk"), n_minutes=Sum("minutes"), **chime)
        .order_by()
    )
    found: dict[int, dict[str, int]] = {}
    for r in rows:
        found[r["current_of__patient_id"]] = {
            "notes": r["n_notes"],
            "minutes": r["n_minutes"] or 0,
            **{name: r[f"n_{name}"] for name in CHIME_FIELDS},
        }
    return found
