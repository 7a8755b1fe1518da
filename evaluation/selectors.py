"""Reads of the implementation survey: who a round asks, the answer rates, the results
(with the rule of at least five answers), and what the survey asks of a person now."""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from dateutil.relativedelta import relativedelta
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from journal import selectors as journal_selectors
from journal.models import Patient
from peerprogram.actions import Action
from peerprogram.models import PeerWorker, StaffMember, Unit

from .models import (
    MIN_ANSWERS,
    SCALE,
    Answer,
    Group,
    Instrument,
    InstrumentItem,
    Invitation,
    Measurement,
    PatientConsent,
    Question,
    ResearchProject,
    Response,
    SurveyRound,
    Theme,
    Timepoint,
)


class Asked(NamedTuple):
    """A person a round asks, for the unit and in the group they answer for."""

    person: StaffMember
    unit_id: int
    group: str


def asked(survey: SurveyRound, today: datetime.date) -> list[Asked]:
    """Everyone the round asks today: in each of its units, the leader, the peer workers
    employed now and the other active staff (colleagues), as far as the round asks their
    group. A leader is asked as a leader, a peer worker as a peer worker (one answer per
    person)."""
    employed = PeerWorker.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today),
        staff_member=OuterRef("pk"),
        start_date__lte=today,
    )
    people = (
        StaffMember.objects.filter(unit__in=survey.units.all(), active=True)
        .annotate(is_peer=Exists(employed))
        .select_related("unit")
        .order_by("unit__name", "name", "pk")
    )
    groups = set(survey.groups)
    found = []
    for person in people:
        if person.unit.leader_id == person.pk:
            group = Group.LEADERS
        elif person.is_peer:
            group = Group.PEERS
        elif person.profession == StaffMember.Profession.PEER:
            continue  # a peer worker not (or no longer) employed
        else:
            group = Group.COLLEAGUES
        if group in groups:
            found.append(Asked(person, person.unit_id, group))
    return found


@dataclass
class Rate:
    invited: int = 0
    answered: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.invited) if self.invited else 0


@dataclass
class UnitRate:
    unit: Unit
    groups: dict[str, Rate]
    total: Rate


def answer_rates(survey: SurveyRound) -> tuple[dict[str, Rate], Rate, list[UnitRate]]:
    """How many were invited and have answered: per group, in all, and per unit (counts
    of the "has answered" records; never who)."""
    rows = (
        Invitation.objects.filter(round=survey)
        .values("unit_id", "group")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
        .order_by()
    )
    units = {u.pk: u for u in survey.units.order_by("name")}
    per_unit = {
        pk: UnitRate(u, {g: Rate() for g in survey.groups}, Rate()) for pk, u in units.items()
    }
    groups = {g: Rate() for g in survey.groups}
    total = Rate()
    for row in rows:
        unit_rate = per_unit.get(row["unit_id"])
        for rate in (
            groups.setdefault(row["group"], Rate()),
            total,
            unit_rate.groups.setdefault(row["group"], Rate()) if unit_rate else None,
            unit_rate.total if unit_rate else None,
        ):
            if rate is not None:
                rate.invited += row["invited"]
                rate.answered += row["answered"]
    return groups, total, list(per_unit.values())


def led_units_of_rounds(
    rounds: list[SurveyRound], led_unit_ids: frozenset[int]
) -> dict[int, list[Unit]]:
    """For a leader's list: the units they lead in each round (one query)."""
    found: dict[int, list[Unit]] = defaultdict(list)
    links = (
        SurveyRound.units.through.objects.filter(
            surveyround_id__in=[r.pk for r in rounds], unit_id__in=led_unit_ids
        )
        .select_related("unit")
        .order_by("unit__name")
    )
    for link in links:
        found[link.surveyround_id].append(link.unit)
    return dict(found)


# Results ------------------------------------------------------------------------------
#
# The rule of five, and the differences that could get round it:
# - a cell (a question's answers in a group, or in a unit) is shown only when the group
#   has at least MIN_ANSWERS answerers and the question at least MIN_ANSWERS answers;
# - "all groups" minus the groups shown must not leave 1–4 answers (else they could be
#   worked out): then "all groups" is hidden; the units against the programme likewise,
#   where the smallest unit shown is hidden too;
# - a unit's own results are all its groups together (one leader, a peer worker or two:
#   a unit's groups are too small), the same cells as the programme's table of units;
# - free texts are shown for all groups together (a group's text that also appears on a
#   unit's page would point at the unit's one leader), and on a unit's page only when the
#   unit has at least MIN_ANSWERS answerers;
# - nothing is shown before the round has closed, since figures that move as each
#   person answers, next to the "has answered" counts, would tell who answered what.

ALL = "all"  # the column of every group together


def too_small(n: int) -> bool:
    return 0 < n < MIN_ANSWERS


@dataclass
class Cell:
    """One question's answers in one group (or unit): its score counts, or (in the table
    of units) only its number of answers and mean."""

    counts: dict[int, int] = field(default_factory=lambda: dict.fromkeys(SCALE, 0))
    answers: int | None = None  # when only the count and mean are read (units table)
    average: float | None = None
    hidden: bool = False  # hidden so that a difference cannot tell a smaller group
    change: float | None = None

    @property
    def n(self) -> int:
        return self.answers if self.answers is not None else sum(self.counts.values())

    @property
    def shown(self) -> bool:
        # A question's answers never outnumber its group's answerers: at least
        # MIN_ANSWERS answers means a group of at least as many.
        return not self.hidden and self.n >= MIN_ANSWERS

    @property
    def mean(self) -> float | None:
        if not self.shown:
            return None
        if self.answers is not None:
            return self.average
        return sum(score * n for score, n in self.counts.items()) / self.n

    @property
    def shares(self) -> list[tuple[int, int, float]]:
        """(score, count, share of the answers) for the chart."""
        return [(s, c, c / self.n if self.n else 0.0) for s, c in self.counts.items()]


def hide_total_if_it_differs(total: Cell, parts: list[Cell]) -> None:
    """Hide the total when the parts not shown add up to 1–4 answers of it: the groups
    are what the survey compares, so the "all groups" figure gives way."""
    shown = [part for part in parts if part.shown]
    if too_small(total.n - sum(part.n for part in shown)):
        total.hidden = True


def hide_differences(total: Cell, parts: list[Cell]) -> None:
    """Hide the smallest part shown when the parts not shown add up to 1–4 answers of
    the total (the total minus the parts shown would tell them)."""
    shown = [part for part in parts if part.shown]
    if shown and too_small(total.n - sum(part.n for part in shown)):
        min(shown, key=lambda part: part.n).hidden = True


@dataclass
class QuestionResult:
    question: Question
    cells: dict[str, Cell]  # per group and ALL (the programme), or ALL only (a unit)
    texts: list[str]


@dataclass
class Results:
    survey: SurveyRound
    unit: Unit | None
    closed: bool
    sizes: dict[str, int]  # answerers per group, and ALL
    questions: list[QuestionResult]
    previous: SurveyRound | None
    units: list[tuple[Unit, int, dict[int, float | None]]]  # per unit: answerers, means
    columns: list[str]

    def shown(self, group: str) -> bool:
        return self.sizes.get(group, 0) >= MIN_ANSWERS

    @property
    def scale_questions(self) -> list[QuestionResult]:
        return [r for r in self.questions if r.question.kind == Question.Kind.SCALE]

    @property
    def text_questions(self) -> list[QuestionResult]:
        return [r for r in self.questions if r.question.kind == Question.Kind.TEXT]


def previous_round(survey: SurveyRound) -> SurveyRound | None:
    """The round of the same questionnaire that closed last before this one opened: the
    one the change is measured against."""
    return (
        SurveyRound.objects.filter(
            questionnaire_id=survey.questionnaire_id, closes_on__lt=survey.opens_on
        )
        .order_by("-closes_on", "-pk")
        .first()
    )


class _Round:
    """What one round's results are worked out from, each read when first asked for (one
    query each): the answerers per unit and group, the score counts per group and
    question, and the count and mean per unit and question."""

    def __init__(self, survey: SurveyRound) -> None:
        self.survey = survey
        self.themes: dict[int, str] = {}  # each question's theme, read with the cells
        self.unit_groups: dict[tuple[int, str], int] = {}  # answerers, read with the sizes

    @cached_property
    def _sizes(self) -> tuple[dict[int, int], dict[str, int]]:
        unit_sizes: dict[int, int] = defaultdict(int)
        sizes: dict[str, int] = defaultdict(int)
        for unit_id, group, n in (
            Response.objects.filter(round=self.survey)
            .values_list("unit_id", "group")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            unit_sizes[unit_id] += n
            sizes[group] += n
            sizes[ALL] += n
            self.unit_groups[(unit_id, group)] = n
        return unit_sizes, sizes

    @property
    def unit_sizes(self) -> dict[int, int]:
        return self._sizes[0]

    @property
    def sizes(self) -> dict[str, int]:
        return self._sizes[1]

    @cached_property
    def cells(self) -> dict[int, dict[str, Cell]]:
        """Per question and group (and all groups), the count of each score."""
        cells: dict[int, dict[str, Cell]] = defaultdict(dict)
        for question_id, theme, group, score, n in (
            Answer.objects.filter(response__round=self.survey, score__isnull=False)
            .values_list("question_id", "question__theme", "response__group", "score")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            self.themes[question_id] = theme
            for key in (group, ALL):
                cell = cells[question_id].setdefault(key, Cell())
                cell.counts[score] += n
        for row in cells.values():
            if ALL in row:
                hide_total_if_it_differs(row[ALL], [c for k, c in row.items() if k != ALL])
        return cells

    @cached_property
    def unit_cells(self) -> dict[tuple[int, int], Cell]:
        """Per unit and question: the count and mean over all its groups, hidden as the
        rules say against the programme (the sum of the units) and its groups (one query,
        by unit, group and question). A cell of at least MIN_ANSWERS answers has at least
        as many answerers."""
        parts: dict[tuple[int, int], list[tuple[str, int, float]]] = defaultdict(list)
        for unit_id, group, question_id, theme, n, mean in (
            Answer.objects.filter(response__round=self.survey, score__isnull=False)
            .values_list("response__unit_id", "response__group", "question_id", "question__theme")
            .annotate(n=Count("pk"), mean=Avg("score"))
            .order_by()
        ):
            self.themes[question_id] = theme
            parts[(unit_id, question_id)].append((group, n, mean))
        unit_cells: dict[tuple[int, int], Cell] = {}
        per_question: dict[int, list[Cell]] = defaultdict(list)
        groups: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for (unit_id, question_id), rows in parts.items():
            n = sum(r[1] for r in rows)
            mean = sum(r[1] * r[2] for r in rows) / n
            cell = Cell(answers=n, average=mean)
            unit_cells[(unit_id, question_id)] = cell
            per_question[question_id].append(cell)
            for group, count, _mean in rows:
                groups[question_id][group] += count
        for question_id, cells in per_question.items():
            total = sum(cell.n for cell in cells)
            hide_differences(Cell(answers=total), cells)
            # The units add up to "all groups": when a group of the question holds 1–4
            # answers (so "all groups", or the other groups next to it, could tell it),
            # a unit's figure next to the groups' would tell the small group too. Then
            # no unit is shown.
            if any(too_small(count) for count in groups[question_id].values()):
                for cell in cells:
                    cell.hidden = True
        return unit_cells

    def cell(self, question_id: int, key: str) -> Cell:
        return self.cells[question_id].get(key) or Cell()

    def unit_shown(self, unit_id: int, question_id: int) -> bool:
        cell = self.unit_cells.get((unit_id, question_id))
        return cell is not None and cell.shown


def theme_means(survey: SurveyRound, unit: Unit | None) -> list[tuple[Promise, float | None]]:
    """Per theme, the mean of its statements' means over all groups (the programme's, or
    the unit's), from the cells the results page shows; a theme with no statement shown
    has none (one query)."""
    if not survey.is_closed(timezone.localdate()):
        return []
    data = _Round(survey)
    means: dict[str, list[float]] = defaultdict(list)
    if unit is None:
        for question_id, row in data.cells.items():
            cell = row.get(ALL)
            if cell is not None and cell.mean is not None:
                means[data.themes[question_id]].append(cell.mean)
            means.setdefault(data.themes[question_id], [])
    else:
        for (unit_id, question_id), cell in data.unit_cells.items():
            if unit_id == unit.pk:
                means.setdefault(data.themes[question_id], [])
                if cell.mean is not None:
                    means[data.themes[question_id]].append(cell.mean)
    return [
        (Theme(theme).label, sum(values) / len(values) if values else None)
        for theme in Theme.values
        if theme in means
        for values in [means[theme]]
    ]


def _unit_counts(rounds: list[SurveyRound], unit: Unit) -> dict[int, dict[int, dict[int, int]]]:
    """A unit's count of each score per round and question (one query)."""
    counts: dict[int, dict[int, dict[int, int]]] = defaultdict(
        lambda: defaultdict(lambda: dict.fromkeys(SCALE, 0))
    )
    for round_id, question_id, score, n in (
        Answer.objects.filter(response__round__in=rounds, response__unit=unit, score__isnull=False)
        .values_list("response__round_id", "question_id", "score")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[round_id][question_id][score] = n
    return counts


def _unit_row(
    data: _Round, unit: Unit, counts: dict[int, dict[int, int]], question_id: int
) -> Cell:
    """A unit's cell of a question, with the score counts, hidden as in the units table."""
    scores = counts.get(question_id) or dict.fromkeys(SCALE, 0)
    return Cell(
        counts=scores,
        hidden=not data.unit_shown(unit.pk, question_id),
    )


def _texts(data: _Round, questions: list[Question], unit: Unit | None) -> dict[int, list[str]]:
    """The free texts of each question from the units where at least MIN_ANSWERS people
    of the groups it asks answered (only the unit asked for, on a unit's page): the
    programme's list is then the units' lists put together, and none tells a small
    unit or group. Alphabetical: the order says nothing of who wrote what, or when."""
    asked = {q.pk: [g for g in Group.values if q.asked_of(g)] for q in questions}
    texts: dict[int, list[str]] = defaultdict(list)
    answers = Answer.objects.filter(response__round=data.survey, score__isnull=True).exclude(
        text=""
    )
    if unit is not None:
        answers = answers.filter(response__unit=unit)
    data.unit_sizes  # noqa: B018 - reads the answerers per unit and group
    for question_id, unit_id, text in answers.values_list(
        "question_id", "response__unit_id", "text"
    ).order_by("question_id", "text"):
        groups = asked.get(question_id, [])
        if sum(data.unit_groups.get((unit_id, g), 0) for g in groups) >= MIN_ANSWERS:
            texts[question_id].append(text)
    return texts


def results(survey: SurveyRound, unit: Unit | None, today: datetime.date) -> Results:
    """A closed round's results for the programme (per group and all groups, and the
    table of units) or for one unit (all its groups together), with the change since
    the previous round and the free texts (see the rules above)."""
    questions = list(survey.questionnaire.questions.all())
    if not survey.is_closed(today):
        return Results(survey, unit, False, {}, [], None, [], [])
    previous = previous_round(survey)
    data = _Round(survey)
    before = _Round(previous) if previous is not None else None
    columns = [*survey.groups, ALL] if unit is None else [ALL]
    both = _unit_counts([r for r in (survey, previous) if r], unit) if unit is not None else {}
    counts, earlier = both.get(survey.pk, {}), both.get(previous.pk if previous else 0, {})
    sizes = dict(data.sizes) if unit is None else {ALL: data.unit_sizes[unit.pk]}
    texts = _texts(data, questions, unit)
    found = []
    for question in questions:
        row: dict[str, Cell] = {}
        for key in columns:
            if unit is None:
                cell = data.cell(question.pk, key)
                old = before.cell(question.pk, key) if before else None
            else:
                cell = _unit_row(data, unit, counts, question.pk)
                old = _unit_row(before, unit, earlier, question.pk) if before else None
            if cell.shown and old is not None and old.shown:
                cell.change = (cell.mean or 0) - (old.mean or 0)
            row[key] = cell
        found.append(QuestionResult(question, row, texts[question.pk]))
    per_unit = _unit_means(survey, data, questions) if unit is None else []
    return Results(survey, unit, True, sizes, found, previous, per_unit, columns)


def _unit_means(
    survey: SurveyRound, data: _Round, questions: list[Question]
) -> list[tuple[Unit, int, dict[int, float | None]]]:
    """Each unit of the round with its number of answerers and its mean of each statement
    (None where hidden)."""
    found = []
    for unit in survey.units.order_by("name"):
        means = {}
        for question in questions:
            cell = data.unit_cells.get((unit.pk, question.pk))
            means[question.pk] = cell.mean if cell is not None else None
        found.append((unit, data.unit_sizes.get(unit.pk, 0), means))
    return found


# What the survey asks of people now ---------------------------------------------------


def _open_invitations(today: datetime.date) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        person_id=OuterRef("staff_member_id"),
        answered=False,
        sent_on__isnull=False,
        round__opens_on__lte=today,
        round__closes_on__gte=today,
    ).order_by("round__closes_on", "pk")


def peer_facts(today: datetime.date) -> dict[str, Subquery]:
    """Annotations for a peer worker's own facts (programme.selectors.own_facts): the
    round open now that waits for their answers, if any (no query of its own)."""
    waiting = _open_invitations(today)
    return {
        "survey_token": Subquery(waiting.values("token")[:1]),
        "survey_title": Subquery(waiting.values("round__title")[:1]),
        "survey_closes": Subquery(waiting.values("round__closes_on")[:1]),
        "survey_sent": Subquery(waiting.values("sent_on")[:1]),
    }


def peer_actions(peer: Any) -> list[Action]:
    """A round open now that the peer worker has not answered: answer it, by its last
    day (`peer` annotated with peer_facts)."""
    if not peer.survey_token:
        return []
    return [
        Action(
            "survey_answer",
            _("Answer the survey “%(round)s” by %(day)s")
            % {
                "round": peer.survey_title,
                "day": date_format(peer.survey_closes, "MONTH_DAY_FORMAT"),
            },
            peer.staff_member.name,
            peer.survey_sent,
            reverse("evaluation:answer", args=[peer.survey_token]),
            waiting=True,
        )
    ]


# Recovery outcomes ---------------------------------------------------------------------


@dataclass
class FillState:
    """A measurement being filled in: its items, the answers so far, the item shown."""

    measurement: Measurement
    items: list[InstrumentItem]
    values: dict[int, int]

    @property
    def answered(self) -> int:
        return len(self.values)


def fill_state(measurement: Measurement) -> FillState:
    """The instrument's items and the patient's answers so far (two queries)."""
    items = list(measurement.instrument.items.all())
    values = dict(measurement.answers.values_list("item_id", "value"))
    return FillState(measurement, items, values)


def patient_outcomes(patient: Patient) -> list[Measurement]:
    return list(
        Measurement.objects.filter(patient=patient)
        .select_related("instrument", "peer__staff_member")
        .order_by("instrument__name", "taken_on", "pk")
    )


def startable(patient: Patient, taken: list[Measurement]) -> list[tuple[Instrument, list[str]]]:
    """The instruments in use, each with the timepoints the patient has not had yet."""
    used = {(m.instrument_id, m.timepoint) for m in taken}
    found = []
    for instrument in Instrument.objects.filter(active=True):
        points = [t for t in Timepoint.values if t in instrument.timepoints]
        left = [t for t in points if (instrument.pk, t) not in used]
        if left:
            found.append((instrument, left))
    return found


LATER = [Timepoint.MONTH_3, Timepoint.MONTH_6, Timepoint.MONTH_12, Timepoint.END]


@dataclass
class OutcomeRow:
    """A unit's (or the programme's) figures for one instrument: the patients measured at
    the first conversation with their mean score, and per later timepoint the mean change
    from the first score (cells under five patients hidden)."""

    unit: Unit | None
    first: Cell
    changes: dict[str, Cell]


@dataclass
class OutcomeSummary:
    instrument: Instrument
    programme: OutcomeRow
    units: list[OutcomeRow]
    timepoints: list[str]


class OutcomeRecord(NamedTuple):
    """A completed measurement with a score, as the aggregates read it."""

    instrument_id: int
    instrument: str
    timepoints: list[str]
    scale_min: int
    scale_max: int
    scoring: str
    patient_id: int
    unit_id: int
    unit: str
    timepoint: str
    taken_on: datetime.date
    score: float


def outcome_records() -> list[OutcomeRecord]:
    """Every completed measurement with a score (one query)."""
    return [
        OutcomeRecord(*row[:-1], float(row[-1] or 0.0))  # the score: not null (filtered)
        for row in Measurement.objects.filter(status=Measurement.Status.DONE, score__isnull=False)
        .values_list(
            "instrument_id",
            "instrument__name",
            "instrument__timepoints",
            "instrument__scale_min",
            "instrument__scale_max",
            "instrument__scoring",
            "patient_id",
            "patient__unit_id",
            "patient__unit__name",
            "timepoint",
            "taken_on",
            "score",
        )
        .order_by()
    ]


def outcome_summaries(
    unit_ids: frozenset[int] | None,
    records: list[OutcomeRecord] | None = None,
    period: tuple[datetime.date, datetime.date] | None = None,
) -> list[OutcomeSummary]:
    """Per instrument with measurements: the programme's row and each unit's (the units
    `unit_ids`, or all for None), hidden where fewer than five patients, and where a
    difference would tell fewer than five (over all units, whoever looks: a leader
    sees the same cells of their unit as the Centre). With a period: the patients first
    measured in it, and the changes measured in it. One query (none when given the
    records)."""
    if records is None:
        records = outcome_records()
    first_day, last_day = period or (datetime.date.min, datetime.date.max)
    by_instrument: dict[int, list[OutcomeRecord]] = defaultdict(list)
    for record in records:
        by_instrument[record.instrument_id].append(record)
    found = []
    for rows in by_instrument.values():
        head = rows[0]
        points = [str(t) for t in LATER if t in head.timepoints]
        scores: dict[int, dict[str, OutcomeRecord]] = defaultdict(dict)
        for record in rows:
            scores[record.patient_id][record.timepoint] = record
        firsts: dict[int | None, list[float]] = defaultdict(list)
        changes: dict[tuple[int | None, str], list[float]] = defaultdict(list)
        units: dict[int, Unit] = {}
        for by_point in scores.values():
            first = by_point.get(Timepoint.FIRST)
            if first is None or first.taken_on > last_day:
                continue
            units.setdefault(first.unit_id, Unit(pk=first.unit_id, name=first.unit))
            for key in (first.unit_id, None):
                if first.taken_on >= first_day:
                    firsts[key].append(first.score)
                for point in points:
                    later = by_point.get(point)
                    if later is not None and first_day <= later.taken_on <= last_day:
                        changes[(key, point)].append(later.score - first.score)

        def cell(values: list[float]) -> Cell:
            return Cell(answers=len(values), average=sum(values) / len(values) if values else None)

        keys = set(firsts) | {key for key, _point in changes} | {None}
        table = {
            key: OutcomeRow(
                units.get(key) if key else None,
                cell(firsts.get(key, [])),
                {point: cell(changes.get((key, point), [])) for point in points},
            )
            for key in keys
        }
        programme = table.pop(None)
        hide_differences(programme.first, [r.first for r in table.values()])
        for point in points:
            hide_differences(programme.changes[point], [r.changes[point] for r in table.values()])
        shown_units = sorted(
            (r for key, r in table.items() if unit_ids is None or key in unit_ids),
            key=lambda r: r.unit.name if r.unit else "",
        )
        instrument = Instrument(
            pk=head.instrument_id,
            name=head.instrument,
            timepoints=head.timepoints,
            scale_min=head.scale_min,
            scale_max=head.scale_max,
            scoring=head.scoring,
        )
        found.append(OutcomeSummary(instrument, programme, shown_units, points))
    found.sort(key=lambda s: s.instrument.name)
    return found


# Research ---------------------------------------------------------------------------------


def pseudonym(project: ResearchProject, patient_id: int) -> str:
    """The same patient has the same pseudonym in every export of a project, another in
    other projects, and it cannot be turned back without the project's key."""
    digest = hmac.new(project.key.encode(), str(patient_id).encode(), hashlib.sha256)
    return "P-" + digest.hexdigest()[:12]


RESEARCH_HEADERS = [
    "pseudonym",
    "unit_kind",
    "instrument",
    "timepoint",
    "month",
    "score",
    "notes",
    "minutes",
    "connectedness",
    "hope",
    "identity",
    "meaning",
    "empowerment",
]


def research_rows(project: ResearchProject) -> tuple[list[list[Any]], int]:
    """The export for a project: a row per completed measurement of every patient who
    has agreed to be contacted about research, pseudonymised, with the month it was
    filled in and the patient's activity counts. No name, reference, unit or note text.
    Returns the rows and the number of patients."""
    consenting = list(
        PatientConsent.objects.filter(research=True).values_list("patient_id", flat=True)
    )
    measurements = (
        Measurement.objects.filter(patient_id__in=consenting, status=Measurement.Status.DONE)
        .values_list(
            "patient_id",
            "patient__unit__kind",
            "instrument__name",
            "timepoint",
            "taken_on",
            "score",
        )
        .order_by("patient_id", "instrument__name", "taken_on")
    )
    activity = journal_selectors.patient_activity(consenting)
    rows = []
    patients = set()
    for patient_id, kind, instrument, timepoint, taken_on, score in measurements:
        counts = activity.get(patient_id, {})
        patients.add(patient_id)
        rows.append(
            [
                pseudonym(project, patient_id),
                kind,
                instrument,
                timepoint,
                taken_on.strftime("%Y-%m"),
                round(score, 2) if score is not None else "",
                *[counts.get(name, 0) for name in RESEARCH_HEADERS[6:]],
            ]
        )
    return rows, len(patients)


# Measurements due ------------------------------------------------------------------------

# How long after the first conversation each later timepoint falls due (months).
DUE_AFTER_MONTHS = {Timepoint.MONTH_3: 3, Timepoint.MONTH_6: 6, Timepoint.MONTH_12: 12}


class MeasureDue(NamedTuple):
    patient_id: int
    instrument: str
    timepoint: str
    day: datetime.date


def due_from(
    rows: list[tuple[int, int, str, list[str], str, datetime.date, str]], today: datetime.date
) -> list[MeasureDue]:
    """From a patient's (or caseload's) measurements — (patient, instrument id, name,
    timepoints, timepoint, taken on, status) — the timepoints that have fallen due since
    the first conversation's measurement and have none yet, oldest first."""
    first: dict[tuple[int, int], tuple[datetime.date, str, list[str]]] = {}
    taken: set[tuple[int, int, str]] = set()
    for patient_id, instrument_id, name, points, timepoint, taken_on, status in rows:
        taken.add((patient_id, instrument_id, timepoint))
        if timepoint == Timepoint.FIRST and status == Measurement.Status.DONE:
            first[(patient_id, instrument_id)] = (taken_on, name, points)
    due = []
    for (patient_id, instrument_id), (day, name, points) in first.items():
        for point, months in DUE_AFTER_MONTHS.items():
            when = day + relativedelta(months=months)
            if (
                point in points
                and when <= today
                and (patient_id, instrument_id, point) not in taken
            ):
                due.append(MeasureDue(patient_id, name, str(point), when))
    return sorted(due, key=lambda d: (d.day, d.patient_id))


def caseload_measures_due(peer: PeerWorker, today: datetime.date) -> list[MeasureDue]:
    """The measurements due for the peer worker's active patients who consented to
    outcome measurement (the same rule as each patient's outcome page), oldest first: one
    query."""
    rows = (
        Measurement.objects.filter(
            patient__peers=peer,
            patient__status=Patient.Status.ACTIVE,
            patient__evaluation_consent__measure_on__isnull=False,
            instrument__active=True,
        )
        .values_list(
            "patient_id",
            "instrument_id",
            "instrument__name",
            "instrument__timepoints",
            "timepoint",
            "taken_on",
            "status",
        )
        .order_by()
    )
    return due_from(list(rows), today)


def measure_actions(due: list[MeasureDue], name: str) -> list[Action]:
    """The peer worker's line for the measurements due: how many and since when, never
    which patients (the line goes into the weekly e-mail too); the page lists them."""
    if not due:
        return []
    return [
        Action(
            "measures_due",
            ngettext(
                "%(n)s outcome measurement is due",
                "%(n)s outcome measurements are due",
                len(due),
            )
            % {"n": len(due)},
            name,
            due[0].day,
            reverse("evaluation:measures_due"),
        )
    ]
