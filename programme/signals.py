"""The risks the guides warn about, as signals to a unit's leader and the Centre.

Each signal is worked out from facts the other apps own (`facts_of` reads them for every
peer worker of the chosen units in one query); only an acknowledgement is stored. A signal
never says anything of a note's content: counts, hours and dates.

The rules, each tested at its edge (tests/programme/test_signals.py):
- Peer drift: over the last three complete months the peer activity recorded in the
  journal is below half the hours a week the agreed function description sets out, or the
  tasks logged outside the description take more than a quarter of the contracted hours of
  the weeks logged (the last 13 weeks). A peer worker with an earlier health or social
  profession is marked as more exposed.
- Alone at the workplace: the only peer worker employed in the unit.
- Referral flow: referrals per contracted hour over the last three complete months below
  half or above one and a half times the programme's (every peer worker employed through
  those months, the unit's own included): a unit is never compared with itself. Only for
  peer workers employed through all three months.
- Referrals waiting more than 14 days for an answer.
- Away from the peer community: no erfa meeting attended in three months (for peer workers
  employed that long).
- A short employment: ended within its first year, in the last twelve months.
An acknowledged signal is quiet for 30 days; if the situation persists, it comes back.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from education import selectors as education_selectors
from employment import selectors as employment_selectors
from journal import selectors as journal_selectors
from mentoring import selectors as mentoring_selectors
from peerprogram.access import IdList
from peerprogram.models import PeerWorker

from .models import SignalAck, SignalKind

# The thresholds (DOMAIN.md, "What goes wrong"; the issue on signals).
DRIFT_ACTIVITY_BELOW = 0.5  # of the described hours
DRIFT_OUTSIDE_ABOVE = 0.25  # of the contracted hours of the weeks logged
ISOLATION_MONTHS = 3
SHORT_EMPLOYMENT_MONTHS = 12
ACK_DAYS = SignalAck.QUIET_DAYS


@dataclass(frozen=True)
class Explanation:
    why: Promise  # why it matters, in plain words
    guide: Promise  # the guide it comes from, in one line
    advice: Promise  # what the guides suggest doing


EXPLANATIONS: dict[str, Explanation] = {
    SignalKind.DRIFT: Explanation(
        gettext_lazy(
            "A peer worker can slowly take on the tasks of other professions and lose the "
            "peer perspective the post exists for; peer workers with a health or social "
            "education are the most exposed."
        ),
        gettext_lazy(
            "North Denmark guide: the leader has a special responsibility to keep the peer "
            "worker from drifting into other professions' tasks."
        ),
        gettext_lazy(
            "Go through the function description together at the next follow-up talk: what "
            "is done, what is not to be done. Take it up in supervision."
        ),
    ),
    SignalKind.ALONE: Explanation(
        gettext_lazy(
            "Peer support can be a lonely position: a peer worker who is the only one at the "
            "workplace lacks colleagues who share the role."
        ),
        gettext_lazy(
            "Capital Region evaluation: preferably several peer workers at a workplace, or none."
        ),
        gettext_lazy(
            "Appoint a buddy among the experienced peer workers of another unit, and make "
            "sure the peer worker takes part in the erfa group every month."
        ),
    ),
    SignalKind.FEW_REFERRALS: Explanation(
        gettext_lazy(
            "Too little work is a known source of stress: the peer worker waits for "
            "referrals and the team forgets the offer."
        ),
        gettext_lazy(
            "Capital Region evaluation: too few referrals gave stress from too little work."
        ),
        gettext_lazy(
            "Take up the referral agreement with the team: who refers, how, and to what. "
            "Remind the team of the offer at a staff meeting."
        ),
    ),
    SignalKind.MANY_REFERRALS: Explanation(
        gettext_lazy(
            "Too many referrals make waiting lists and stress: the peer worker cannot give "
            "each patient the time peer support needs."
        ),
        gettext_lazy(
            "Capital Region evaluation: too many referrals gave stress from waiting lists."
        ),
        gettext_lazy(
            "Agree with the peer worker how many patients are right, and sharpen the "
            "criteria for who is offered peer support."
        ),
    ),
    SignalKind.WAITING: Explanation(
        gettext_lazy(
            "A referral without an answer leaves the patient waiting and the colleague who "
            "referred unsure whether the offer works."
        ),
        gettext_lazy(
            "Mini-guide: the referral agreement says how the peer worker answers a referral."
        ),
        gettext_lazy(
            "Ask the peer worker about the referrals waiting; answer or decline them with "
            "the reason."
        ),
    ),
    SignalKind.ISOLATION: Explanation(
        gettext_lazy(
            "The community of peers is where the role is kept alive: without it the peer "
            "worker stands alone with the hard cases."
        ),
        gettext_lazy(
            "North Denmark guide: every peer worker meets the peer erfa group once a month."
        ),
        gettext_lazy(
            "Make room in the peer worker's calendar for the erfa meetings, and ask what "
            "keeps them away."
        ),
    ),
    SignalKind.SHORT: Explanation(
        gettext_lazy(
            "An employment that ends within a year often tells of a frame that did not "
            "hold: an unclear function, missing support or isolation."
        ),
        gettext_lazy(
            "Recruitment recommendations: durability depends on the support around the peer "
            "worker (leader, supervisor, mentor)."
        ),
        gettext_lazy(
            "Read the exit talk, and before the next hire go through the function "
            "description, the mentor and the supervision."
        ),
    ),
}


@dataclass
class Signal:
    kind: str
    peer: Any  # a PeerWorker annotated by `facts_of`
    # The figures behind it in plain words, put into words only when shown (the Centre's
    # home counts the signals of a whole nation and shows none of them).
    describe: Callable[[], str]
    since: datetime.date | None
    exposed: bool = False  # drift: an earlier health or social profession
    acknowledged: bool = False

    @cached_property
    def detail(self) -> str:
        return self.describe()

    @property
    def label(self) -> str:
        return str(SignalKind(self.kind).label)

    @property
    def explanation(self) -> Explanation:
        return EXPLANATIONS[self.kind]

    @property
    def unit(self) -> Any:
        return self.peer.staff_member.unit

    @property
    def act(self) -> tuple[str, str]:
        """(what to do, the page to do it on), one click from the signal."""
        peer = self.peer.pk
        if self.kind == SignalKind.DRIFT:
            return _("Open the function description"), reverse(
                "employment:function_page", args=[peer]
            )
        if self.kind == SignalKind.ALONE:
            return _("Appoint a buddy"), (
                reverse("mentoring:mentor_assign", args=[peer]) + "?kind=buddy"
            )
        if self.kind == SignalKind.ISOLATION:
            return _("See the erfa attendance"), reverse("education:erfa_attendance")
        if self.kind in (SignalKind.FEW_REFERRALS, SignalKind.MANY_REFERRALS):
            return _("See the statistics"), reverse("journal:statistics")
        if self.kind == SignalKind.SHORT:
            return _("Open the peer worker's page"), self.peer.get_absolute_url()
        return _("Open the peer worker's page"), self.peer.get_absolute_url()

    @property
    def url(self) -> str:
        """Where the leader or the Centre reads it in full and acknowledges it."""
        return (
            reverse("programme:unit", args=[self.unit.pk]) + f"#signal-{self.kind}-{self.peer.pk}"
        )


# What the signals read of the facts (the Centre's whole programme reads only these; a
# leader's home reads every fact, for the action list too).
SIGNAL_FACTS = {
    "fd_hours",
    "outside_hours",
    "outside_weeks",
    "last_erfa",
    "has_buddy",
    "mentorship_id",
    "minutes_window",
    "referrals_window",
    "referrals_waiting",
    "referrals_waiting_since",
    "programme_referrals",
    "programme_hours",
}


def facts_of(
    peers: QuerySet[PeerWorker],
    today: datetime.date | None = None,
    *,
    only: AbstractSet[str] | None = None,
) -> list[Any]:
    """The peer workers employed now (and those whose employment ended in the last twelve
    months, for the short employments, and those about to start, for the Centre's
    figures), with every fact the signals and the leader's action list read, or `only`
    these (SIGNAL_FACTS for the signals alone): one query."""
    today = today or timezone.localdate()
    recently = today - relativedelta(months=SHORT_EMPLOYMENT_MONTHS)
    acks = (
        SignalAck.objects.filter(peer=OuterRef("pk"), created_at__gte=SignalAck.quiet_since(today))
        .order_by()
        .values("peer")
        .annotate(kinds=IdList("kind"))
        .values("kinds")
    )
    facts = {
        **employment_selectors.peer_facts(today),
        **education_selectors.peer_facts(today),
        **mentoring_selectors.peer_facts(today),
        **journal_selectors.activity_facts(today),
    }
    if only is not None:
        facts = {name: value for name, value in facts.items() if name in only}
    rows = peers.filter(Q(end_date__isnull=True) | Q(end_date__gte=recently))
    if only is None:
        rows = rows.select_related("staff_member__unit")
    # A part of the facts is read for many units (a nation's 1,500 peer workers): no
    # staff member or unit is built for each, only its unit's id (`unit_of`; a signal is
    # put into words, with names, from the whole facts).
    return list(
        rows.annotate(
            **facts, acknowledged=Subquery(acks), unit_of=F("staff_member__unit_id")
        ).order_by("staff_member__unit__name", "staff_member__name", "pk")
    )


def employed(peer: Any, today: datetime.date) -> bool:
    return peer.start_date <= today and (peer.end_date is None or peer.end_date >= today)


def _through_window(peer: Any, first: datetime.date, end: datetime.date) -> bool:
    return peer.start_date <= first and (peer.end_date is None or peer.end_date >= end)


def _day(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def signals_of(peers: list[Any], today: datetime.date | None = None) -> list[Signal]:
    """Every signal about these peer workers (read by `facts_of`), the acknowledged ones
    marked, in the order of the peer workers. Give whole units: "alone" counts the peer
    workers employed in each unit among those given."""
    today = today or timezone.localdate()
    first, end = journal_selectors.flow_window(today)
    weeks = (end - first).days / 7
    working = [p for p in peers if employed(p, today)]
    per_unit = Counter(p.unit_of for p in working)
    back = _Back(
        today - relativedelta(months=ISOLATION_MONTHS),
        today - relativedelta(years=1),
        timezone.get_current_timezone(),
    )
    found = []
    for peer in peers:
        quiet = set((peer.acknowledged or "").split(","))
        for signal in _signals_of_peer(peer, today, first, end, weeks, per_unit, back):
            signal.acknowledged = signal.kind in quiet
            found.append(signal)
    return found


class _Back(NamedTuple):
    """The days the isolation signal looks back to, and the time zone the moments are
    read in, worked out once for every peer (looking the zone up is most of a nation's
    time here)."""

    three_months: datetime.date
    year: datetime.date
    zone: datetime.tzinfo


def _signals_of_peer(
    peer: Any,
    today: datetime.date,
    first: datetime.date,
    end: datetime.date,
    weeks: float,
    per_unit: Counter[int],
    back: _Back,
) -> list[Signal]:
    if not employed(peer, today):
        if peer.end_date is None or peer.end_date >= today:
            return []  # not started yet
        if (peer.end_date - peer.start_date) < datetime.timedelta(days=365):
            reason = peer.get_end_reason_display() if peer.end_reason else _("not given")
            return [
                Signal(
                    SignalKind.SHORT,
                    peer,
                    lambda: (
                        ngettext(
                            "Ended %(day)s after %(months)s month. Reason: %(reason)s.",
                            "Ended %(day)s after %(months)s months. Reason: %(reason)s.",
                            round((peer.end_date - peer.start_date).days / 30.44),
                        )
                        % {
                            "day": _day(peer.end_date),
                            "months": round((peer.end_date - peer.start_date).days / 30.44),
                            "reason": reason,
                        }
                    ),
                    peer.end_date,
                )
            ]
        return []
    found = []
    through = _through_window(peer, first, end)
    drift = employment_selectors.drift_of(peer, peer.minutes_window or 0, weeks)
    little = through and drift.activity_below(DRIFT_ACTIVITY_BELOW)
    outside = bool(drift.outside_weeks) and drift.outside_above(DRIFT_OUTSIDE_ABOVE)

    def drift_detail() -> str:
        reasons = []
        if little:
            reasons.append(
                _(
                    "Peer activity recorded: %(recorded)s hours a week over the last three "
                    "months, against %(described)s described."
                )
                % {
                    "recorded": number_format(drift.recorded_hours, 1),
                    "described": drift.described_hours,
                }
            )
        if outside:
            reasons.append(
                _(
                    "Tasks outside the description: %(hours)s hours in %(weeks)s weeks "
                    "logged, %(share)s %% of the contracted hours."
                )
                % {
                    "hours": drift.outside_hours,
                    "weeks": drift.outside_weeks,
                    "share": drift.outside_share,
                }
            )
        return " ".join(reasons)

    if little or outside:
        found.append(
            Signal(
                SignalKind.DRIFT,
                peer,
                drift_detail,
                first,
                exposed=bool(peer.earlier_profession),
            )
        )
    if per_unit[peer.unit_of] == 1:

        def alone_detail() -> str:
            erfa = (
                _("last erfa meeting %(day)s") % {"day": _day(timezone.localdate(peer.last_erfa))}
                if peer.last_erfa
                else _("no erfa meeting attended yet")
            )
            buddy = _("has a buddy") if peer.has_buddy else _("no buddy")
            return _("The only peer worker in %(unit)s: %(buddy)s, %(erfa)s.") % {
                "unit": peer.staff_member.unit.name,
                "buddy": buddy,
                "erfa": erfa,
            }

        found.append(Signal(SignalKind.ALONE, peer, alone_detail, None))
    found.extend(_referral_signals(peer, today, through, weeks, back.zone))
    three_months, year_ago = back.three_months, back.year
    if peer.start_date <= three_months:
        last = peer.last_erfa.astimezone(back.zone).date() if peer.last_erfa else None

        def isolation_detail() -> str:
            # The facts look a year back for the last erfa meeting.
            if last is not None:
                return _("No erfa meeting attended since %(day)s.") % {"day": _day(last)}
            if peer.start_date > year_ago:
                return _("No erfa meeting attended since the start.")
            return _("No erfa meeting attended in the last year.")

        if last is None or last < three_months:
            found.append(
                Signal(
                    SignalKind.ISOLATION,
                    peer,
                    isolation_detail,
                    last or max(peer.start_date, year_ago),
                )
            )
    return found


def programme_rate(peer: Any, weeks: float) -> float | None:
    """The programme's referrals per contracted hour over the window (the same on every
    row of `facts_of`), or None when there is nothing to compare with."""
    if not peer.programme_hours or not peer.programme_referrals:
        return None
    return float(peer.programme_referrals) / (peer.programme_hours * weeks)


def _referral_signals(
    peer: Any, today: datetime.date, through: bool, weeks: float, zone: datetime.tzinfo
) -> list[Signal]:
    found = []
    usual = programme_rate(peer, weeks)
    if through and usual and peer.hours_per_week:
        received = peer.referrals_window or 0
        expected = usual * peer.hours_per_week * weeks

        def detail() -> str:
            return ngettext(
                "%(n)s referral in the last three complete months; the programme's usual "
                "for %(hours)s hours a week is about %(expected)s.",
                "%(n)s referrals in the last three complete months; the programme's usual "
                "for %(hours)s hours a week is about %(expected)s.",
                received,
            ) % {
                "n": received,
                "hours": peer.hours_per_week,
                "expected": number_format(expected, 1),
            }

        # The peer worker's rate against the programme's, both over the same weeks: the
        # weeks cancel out, so the comparison is made in whole numbers (no rounding error
        # at the edges).
        own = received * peer.programme_hours
        programme = peer.programme_referrals * peer.hours_per_week
        if own < settings.JOURNAL_LOAD_LOW * programme:
            found.append(Signal(SignalKind.FEW_REFERRALS, peer, detail, None))
        elif own > settings.JOURNAL_LOAD_HIGH * programme:
            found.append(Signal(SignalKind.MANY_REFERRALS, peer, detail, None))
    if peer.referrals_waiting:
        since = peer.referrals_waiting_since.astimezone(zone).date()
        found.append(
            Signal(
                SignalKind.WAITING,
                peer,
                lambda: (
                    ngettext(
                        "%(n)s referral has waited more than %(days)s days for an answer.",
                        "%(n)s referrals have waited more than %(days)s days for an answer.",
                        peer.referrals_waiting,
                    )
                    % {"n": peer.referrals_waiting, "days": journal_selectors.REFERRAL_WAIT_DAYS}
                ),
                since,
            )
        )
    return found


def quiet_until(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()) + datetime.timedelta(days=ACK_DAYS)
