"""The report as rows the page, the PDF and the spreadsheet all show: sections of
(what, this year, the year before), each figure put into words once, and the charts'
geometry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from evaluation.models import Timepoint
from evaluation.selectors import Cell, OutcomeRow
from journal.models import CHIME_FIELDS, NoteVersion
from peerprogram.models import PeerWorker, field_label
from programme.models import SignalKind

from .figures import NATIONAL_HOURS, Report, YearFigures, share


@dataclass
class Line:
    label: str | Promise
    this: str
    before: str
    note: str | Promise = ""


@dataclass
class Section:
    key: str
    title: Promise
    lines: list[Line] = field(default_factory=list)


def _n(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    return number_format(value, decimals, force_grouping=True)


def _pct(part: int, whole: int) -> str:
    value = share(part, whole)
    return "–" if value is None else f"{value} % ({part}/{whole})"


def _both(report: Report, get: Any) -> tuple[str, str]:
    return get(report.this), get(report.before)


def _line(report: Report, label: str | Promise, get: Any, note: str | Promise = "") -> Line:
    this, before = _both(report, get)
    return Line(label, this, before, note)


def sections(report: Report) -> list[Section]:
    r = report
    people = Section("people", _("Peer workers"))
    people.lines += [
        _line(r, _("Employed at the end of the period"), lambda f: _n(f.employed)),
        _line(r, _("Hired"), lambda f: _n(f.hired)),
        _line(r, _("Left"), lambda f: _n(f.left)),
        _line(
            r,
            _("Median time employed, of those who left (months)"),
            lambda f: _n(f.tenure_of_leavers, 1),
        ),
        _line(
            r,
            _("Still employed a year after the start"),
            lambda f: _pct(*f.kept_one),
            _("Of those whose first year ended in the period."),
        ),
        _line(
            r,
            _("Still employed two years after the start"),
            lambda f: _pct(*f.kept_two),
            _("Of those whose second year ended in the period."),
        ),
        _line(
            r,
            _("Median days from the vacancy's publication to the hire"),
            lambda f: _n(f.days_to_hire) if f.hires_timed else "–",
        ),
    ]
    labels = {key: str(label) for key, label in PeerWorker.EndReason.choices}
    reasons = sorted(
        ((labels.get(key, key or "–"), key) for f in (r.this, r.before) for key, _n2 in f.reasons)
    )
    for label, key in dict.fromkeys(reasons):
        this = dict(r.this.reasons).get(key, 0)
        before = dict(r.before.reasons).get(key, 0)
        people.lines.append(Line(_("Left: %(reason)s") % {"reason": label}, _n(this), _n(before)))
    hours = Section("hours", _("Hours per week"))
    hours.lines.append(_line(r, _("Mean hours per week"), lambda f: _n(f.hours_mean, 1)))
    for band, band_label in BANDS.items():
        hours.lines.append(
            _line(
                r,
                band_label,
                lambda f, band=band: (
                    _n(f.hours_shares[band]) + " %" if f.hours_shares[band] is not None else "–"
                ),
                _("Nationally (2021): %(n)s %%") % {"n": NATIONAL_HOURS[band]}
                if NATIONAL_HOURS[band] is not None
                else "",
            )
        )
    start = Section("start", _("Onboarding, mentoring and education"))
    start.lines += [
        _line(r, _("Checklists begun"), lambda f: _n(f.checklists)),
        _line(
            r,
            _("Checklists done with every task on time"),
            lambda f: _pct(f.checklists_on_time, f.checklists),
            _("The tasks ticked by hand, against their due days."),
        ),
        _line(r, _("Checklists with tasks overdue now"), lambda f: _n(f.checklists_overdue)),
        _line(r, _("Mentor check-ins held"), lambda f: _n(f.checkins_held)),
        _line(
            r,
            _("Check-ins held of those due"),
            lambda f: _pct(
                f.checkins_held, f.checkins_held + f.checkins_cancelled + f.checkins_missing
            ),
            _("Cancelled and never logged count as not held."),
        ),
        _line(
            r,
            _("Peer education completed within the first year"),
            lambda f: _pct(f.educated_in_first_year, f.first_years),
            _("Of those whose first year ended in the period."),
        ),
    ]
    community = Section("community", _("Community and supervision"))
    community.lines += [
        _line(r, _("Erfa meetings held"), lambda f: _n(f.erfa_held)),
        _line(
            r,
            _("Erfa attendance"),
            lambda f: _pct(f.erfa_attended, f.erfa_possible),
            _("Attendances of the peer workers employed on each meeting's day."),
        ),
        _line(r, _("Supervisions held"), lambda f: _n(f.supervisions_held)),
        _line(
            r,
            _("Supervision attendance"),
            lambda f: _pct(f.supervision_attended, f.supervision_invited),
        ),
    ]
    activity = Section("activity", _("Peer support given"))
    activity.lines += [
        _line(r, _("Approved notes"), lambda f: _n(f.notes)),
        _line(r, _("Conversations"), lambda f: _n(f.conversations)),
        _line(r, _("Group sessions"), lambda f: _n(f.group_sessions)),
        _line(r, _("Hours of peer support"), lambda f: _n(f.minutes / 60)),
        _line(r, _("Referrals received"), lambda f: _n(f.referrals)),
        _line(r, _("Referrals accepted"), lambda f: _n(f.accepted)),
        _line(r, _("Contracted hours"), lambda f: _n(f.contracted_hours)),
        _line(r, _("Conversations per contracted hour"), lambda f: _n(f.conversations_per_hour, 2)),
        _line(
            r, _("Referrals per 100 contracted hours"), lambda f: _n(f.referrals_per_100_hours, 2)
        ),
    ]
    for name in CHIME_FIELDS:
        activity.lines.append(
            _line(
                r,
                _("Addressed %(element)s") % {"element": field_label(NoteVersion, name)},
                lambda f, name=name: _n(f.chime[name]),
            )
        )
    signals = Section("signals", _("Signals acknowledged"))
    for kind, kind_label in SignalKind.choices:
        signals.lines.append(_line(r, kind_label, lambda f, kind=kind: _n(f.acknowledged[kind])))
    survey = Section("survey", _("The implementation survey"))
    survey.lines.append(
        _line(r, _("Rounds closed"), lambda f: ", ".join(s.title for s in f.rounds) or "–")
    )
    survey.lines.append(
        _line(
            r,
            _("Answered"),
            lambda f: _pct(sum(s.answered for s in f.rounds), sum(s.invited for s in f.rounds)),
        )
    )
    for theme, mean in report.this.themes:
        survey.lines.append(
            Line(
                _("Mean: %(theme)s") % {"theme": theme},
                _n(mean, 1)
                if mean is not None
                else str(pgettext_lazy("report", "too few answers")),
                "",
                _("The latest round, all groups together, 1–5."),
            )
        )
    outcomes = Section("outcomes", _("Recovery outcomes"))
    if report.this.period.partial:
        outcomes.lines.append(
            Line(
                _("Shown for ended years"),
                "–",
                "",
                _("Figures that grew with each measurement would tell the patient just measured."),
            )
        )
    instruments = {s.instrument.pk: s for s in (*report.before.outcomes, *report.this.outcomes)}
    for pk, summary in instruments.items():
        current = next((s for s in report.this.outcomes if s.instrument.pk == pk), None)
        earlier = next((s for s in report.before.outcomes if s.instrument.pk == pk), None)
        outcomes.lines.append(
            Line(
                _("%(instrument)s: patients first measured")
                % {"instrument": summary.instrument.name},
                _patients(_row(report, current).first) if current else "–",
                _patients(_row(report, earlier).first) if earlier else "–",
            )
        )
        for point in summary.timepoints:
            now_cell = _row(report, current).changes[point] if current else None
            old_cell = _row(report, earlier).changes[point] if earlier else None
            outcomes.lines.append(
                Line(
                    _("%(instrument)s: mean change, %(point)s")
                    % {"instrument": summary.instrument.name, "point": TIMEPOINTS[point]},
                    _change(now_cell) if now_cell is not None else "–",
                    _change(old_cell) if old_cell is not None else "–",
                )
            )
    return [people, hours, start, community, activity, signals, survey, outcomes]


def _row(report: Report, summary: Any) -> Any:
    if report.unit is None:
        return summary.programme
    return next((r for r in summary.units if r.unit and r.unit.pk == report.unit.pk), _EMPTY)


def _patients(cell: Any) -> str:
    if cell.n == 0:
        return "–"
    return _n(cell.n) if cell.shown else str(_("fewer than 5"))


def _change(cell: Any) -> str:
    if cell.n == 0:
        return "–"
    if not cell.shown:
        return str(_("fewer than 5"))
    mean = cell.mean or 0.0
    return f"{'+' if mean > 0 else ''}{_n(mean, 2)} ({cell.n})"


BANDS: dict[str, Promise] = {
    "few": _("Share with 10 hours or fewer"),
    "mid": _("Share with 11 to 30 hours"),
    "high": _("Share with 31 to 36 hours"),
    "full": _("Share full time (37 hours)"),
}
TIMEPOINTS: dict[str, Any] = dict(Timepoint.choices)
# A unit without measurements: nothing to show.
_EMPTY = OutcomeRow(None, Cell(), {t: Cell() for t in Timepoint.values})


@dataclass
class Bar:
    label: str
    x: float
    width: float
    y: float
    value: str
    second: bool = False


def hours_chart(report: Report) -> list[Bar]:
    """Bars of the share of peer workers in each band of hours, this year's next to the
    national figure (percent of 100, on a 300-wide axis)."""
    bars = []
    for n, (band, label) in enumerate(BANDS.items()):
        mine = report.this.hours_shares[band] or 0
        national = NATIONAL_HOURS[band]
        bars.append(Bar(str(label), 0, 3 * mine, n * 46, f"{mine} %"))
        if national is not None:
            bars.append(Bar(str(label), 0, 3 * national, n * 46 + 18, f"{national} %", second=True))
    return bars


def chime_chart(report: Report) -> list[Bar]:
    """Bars of how often each CHIME element was addressed, this year and the year before."""
    values = [(report.this.chime[n], report.before.chime[n]) for n in CHIME_FIELDS]
    top = max([max(pair) for pair in values] + [1])
    bars = []
    for n, (name, (this, before)) in enumerate(zip(CHIME_FIELDS, values, strict=True)):
        label = field_label(NoteVersion, name)
        bars.append(Bar(label, 0, 300 * this / top, n * 46, _n(this)))
        bars.append(Bar(label, 0, 300 * before / top, n * 46 + 18, _n(before), second=True))
    return bars


def year_label(figures: YearFigures) -> str:
    return str(figures.period.year)
