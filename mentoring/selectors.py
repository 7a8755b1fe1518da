"""Reads about who mentors whom and how the mentorships are going, for use from any app."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypedDict

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peerprogram.actions import Action
from peerprogram.models import PeerWorker, StaffMember

from .models import CheckIn, MentorIntroduction, Mentorship

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def active_mentorships() -> QuerySet[Mentorship]:
    """Mentors and buddies appointed now."""
    return Mentorship.objects.filter(end_date__isnull=True)


def active_mentors() -> QuerySet[Mentorship]:
    """The mentors appointed now (one per peer worker at the most), not the buddies."""
    return active_mentorships().filter(kind=Mentorship.Kind.MENTOR)


def peers_with_mentor() -> QuerySet[Any]:
    """The ids of the peer workers with a mentor appointed now (as a set for the database)."""
    return active_mentors().values("peer_id")


def current_mentor_of(peer: PeerWorker) -> StaffMember | None:
    mentorship = active_mentors().filter(peer=peer).select_related("mentor").first()
    return mentorship.mentor if mentorship else None


def current_mentorship_of(peer: PeerWorker, kind: str = "mentor") -> Mentorship | None:
    return active_mentorships().filter(peer=peer, kind=kind).select_related("mentor__unit").first()


# Health ----------------------------------------------------------------------------


def with_health(
    mentorships: QuerySet[Mentorship], today: datetime.date
) -> QuerySet[WithAnnotations[Mentorship, HealthFigures]]:
    """Annotate each mentorship with its check-in figures, in one query for a whole list.

    Each figure is a correlated subquery over the mentorship's own check-ins rather than a
    join with GROUP BY, which grouped every check-in of every mentorship by all the selected
    columns. The last held date is kept on the mentorship (`services.checkin_log` and the
    other services that write check-ins)."""
    checkins = CheckIn.objects.filter(mentorship=OuterRef("pk")).order_by()
    return mentorships.select_related("mentor", "peer__staff_member__unit").annotate(
        due_count=_count(checkins.filter(date__lte=today)),
        held_count=_count(checkins.filter(status=CheckIn.Status.HELD)),
        planned_count=_count(checkins),
        unlogged_count=_count(checkins.filter(status=CheckIn.Status.PLANNED, date__lt=today)),
        first_unlogged=Subquery(
            checkins.filter(status=CheckIn.Status.PLANNED, date__lt=today)
            .order_by("date")
            .values("date")[:1]
        ),
        next_date=Subquery(
            checkins.filter(status=CheckIn.Status.PLANNED, date__gte=today)
            .order_by("date")
            .values("date")[:1]
        ),
    )


def _count(checkins: QuerySet[CheckIn]) -> Coalesce:
    """How many of a mentorship's check-ins (`checkins` refer to OuterRef("pk"))."""
    return Coalesce(Subquery(checkins.values("mentorship").annotate(n=Count("pk")).values("n")), 0)


def with_warning(mentorships: QuerySet[Mentorship], today: datetime.date) -> QuerySet[Mentorship]:
    """Annotate `has_warning` (what Health.warning says in words), so that a long list
    can be ordered warnings first in the database and shown a page at a time."""
    weekly = today - datetime.timedelta(days=settings.MENTORING_WARNING_DAYS)
    monthly = today - datetime.timedelta(days=settings.MENTORING_MONTHLY_WARNING_DAYS)
    since_before = Case(
        When(rhythm=Mentorship.Rhythm.MONTHLY, then=Value(monthly)),
        default=Value(weekly),
        output_field=DateField(),
    )
    return mentorships.annotate(
        since=Coalesce(F("last_held_on"), F("start_date")),
        has_warning=Case(
            When(end_date__isnull=True, since__lt=since_before, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


class HealthFigures(TypedDict):
    due_count: int
    held_count: int
    planned_count: int
    unlogged_count: int
    first_unlogged: datetime.date | None
    next_date: datetime.date | None


@dataclass
class Health:
    """How a mentorship is going: the check-ins due so far, held and planned, and the next."""

    mentorship: Mentorship
    today: datetime.date
    due: int
    held: int
    planned: int
    next_date: datetime.date | None
    unlogged: int = 0  # check-ins past their day, neither logged nor cancelled
    first_unlogged: datetime.date | None = None

    @classmethod
    def of(
        cls, mentorship: WithAnnotations[Mentorship, HealthFigures], today: datetime.date
    ) -> Health:
        """From a mentorship annotated by `with_health`."""
        return cls(
            mentorship,
            today,
            due=mentorship.due_count,
            held=mentorship.held_count,
            planned=mentorship.planned_count,
            next_date=mentorship.next_date,
            unlogged=mentorship.unlogged_count,
            first_unlogged=mentorship.first_unlogged,
        )

    @cached_property
    def share_held(self) -> int | None:
        """Per cent of the check-ins due so far that were held."""
        return round(100 * self.held / self.due) if self.due else None

    @property
    def last_held(self) -> datetime.date | None:
        return self.mentorship.last_held_on  # kept by services.last_held_refresh

    @cached_property  # asked several times for each row of a list
    def warning(self) -> str:
        if not self.mentorship.is_active:
            return ""
        limit = settings.MENTORING_WARNING_DAYS
        if self.mentorship.rhythm == Mentorship.Rhythm.MONTHLY:
            limit = settings.MENTORING_MONTHLY_WARNING_DAYS
        since = self.last_held or self.mentorship.start_date
        if (self.today - since).days > limit:
            if self.last_held:
                return _("No check-in held for %(days)s days.") % {
                    "days": (self.today - self.last_held).days
                }
            return _("No check-in held since the start.")
        return ""

    @property
    def six_months_over(self) -> bool:
        return (
            self.mentorship.is_active
            and self.mentorship.rhythm == Mentorship.Rhythm.WEEKLY
            and self.today >= self.mentorship.start_date + relativedelta(months=6)
        )


def health_rows(
    mentorships: QuerySet[Mentorship], today: datetime.date | None = None
) -> list[Health]:
    today = today or timezone.localdate()
    return [Health.of(m, today) for m in with_health(mentorships, today)]


def health_of_peer(peer: PeerWorker, today: datetime.date | None = None) -> list[Health]:
    """The peer worker's active mentorships (a mentor, and a buddy if appointed) and how
    each is going, the mentor first."""
    today = today or timezone.localdate()
    rows = health_rows(active_mentorships().filter(peer=peer), today)
    return sorted(rows, key=lambda h: h.mentorship.kind != Mentorship.Kind.MENTOR)


def health_of_mentees(mentor: StaffMember, today: datetime.date | None = None) -> list[Health]:
    """The mentor's active mentorships, the newest first (as Mentorship orders them), and
    how each is going."""
    today = today or timezone.localdate()
    mentorships = active_mentorships().filter(mentor=mentor).order_by("-start_date", "-pk")
    return health_rows(mentorships, today)


def health_for(mentorship: Mentorship) -> Health:
    return health_rows(Mentorship.objects.filter(pk=mentorship.pk))[0]


def health_of(
    mentorship: Mentorship, checkins: list[CheckIn], today: datetime.date | None = None
) -> Health:
    """The same figures as `with_health`, from the mentorship's check-ins already read (its
    page lists them all): no query of its own."""
    today = today or timezone.localdate()
    coming = [c.date for c in checkins if c.status == CheckIn.Status.PLANNED and c.date >= today]
    unlogged = [c.date for c in checkins if c.status == CheckIn.Status.PLANNED and c.date < today]
    return Health(
        mentorship,
        today,
        due=sum(1 for c in checkins if c.date <= today),
        held=sum(1 for c in checkins if c.status == CheckIn.Status.HELD),
        planned=len(checkins),
        next_date=min(coming, default=None),
        unlogged=len(unlogged),
        first_unlogged=min(unlogged, default=None),
    )


def health_by_peer(peer_ids: list[int]) -> dict[int, Health]:
    """The active mentorship's health for each peer, in one query."""
    if not peer_ids:
        return {}
    rows = health_rows(active_mentors().filter(peer_id__in=peer_ids))
    return {h.mentorship.peer_id: h for h in rows}


def overview_order(
    mentorships: QuerySet[Mentorship], sort: str, today: datetime.date
) -> QuerySet[Mentorship, int]:
    """The ids of the mentorships in the overview's order: warnings first, then by `sort`
    (peer name when unknown), ordered in the database so that a page can be cut out."""
    rows = with_warning(mentorships, today)
    if sort == "share":
        checkins = CheckIn.objects.filter(mentorship=OuterRef("pk")).order_by()
        rows = rows.annotate(
            due=_count(checkins.filter(date__lte=today)),
            held=_count(checkins.filter(status=CheckIn.Status.HELD)),
            share=Case(
                When(due__gt=0, then=F("held") * 100.0 / F("due")),
                default=None,
                output_field=FloatField(),
            ),
        )
    order = {
        "unit": [F("peer__staff_member__unit__name").asc()],
        "mentor": [F("mentor__name").asc()],
        "share": [F("share").asc(nulls_last=True)],
        "last": [F("last_held_on").asc(nulls_first=True)],
        "start": [F("start_date").asc()],
    }.get(sort, [])
    return rows.order_by(
        F("has_warning").desc(), *order, "peer__staff_member__name", "pk"
    ).values_list("pk", flat=True)


def health_rows_of(ids: list[int], today: datetime.date | None = None) -> list[Health]:
    """The health of these mentorships, in the order of `ids` (one query)."""
    position = {pk: i for i, pk in enumerate(ids)}
    rows = health_rows(Mentorship.objects.filter(pk__in=ids), today)
    return sorted(rows, key=lambda h: position[h.mentorship.pk])


# Matching --------------------------------------------------------------------------


# A mentor with this many mentees now comes after those with room.
FULL_MENTEES = 2


@dataclass
class Candidate:
    member: StaffMember
    mentee_count: int
    has_mentored: bool
    introduced: bool
    preferred: bool
    note: str = ""  # a buddy's own reason: an experienced peer worker, their unit
    coming: bool = False  # sat on the hiring committee as the coming mentor

    @property
    def rank(self) -> tuple[Any, ...]:
        """Best first: the committee's coming mentor, the profession asked for, anyone with
        room (fewer than two mentees now), then what makes a good mentor (the Centre's
        introduction, experience as a mentor) before how many mentees they have now; the
        name only breaks a tie."""
        return (
            not self.coming,
            not self.preferred,
            self.mentee_count >= FULL_MENTEES,
            not self.introduced,
            not self.has_mentored,
            self.mentee_count,
            self.member.name,
        )

    @property
    def reasons(self) -> list[str]:
        reasons = []
        if self.coming:
            reasons.append(_("sat on the hiring committee as the coming mentor"))
        if self.preferred:
            reasons.append(_("the profession you prefer"))
        if self.mentee_count == 0:
            reasons.append(_("has no mentee now"))
        else:
            reasons.append(
                ngettext("has %(n)s mentee now", "has %(n)s mentees now", self.mentee_count)
                % {"n": self.mentee_count}
            )
        reasons.append(
            _("has been a mentor before")
            if self.has_mentored
            else _("has not been a mentor before")
        )
        reasons.append(
            _("attended the Centre's mentor introduction")
            if self.introduced
            else _("has not attended the mentor introduction")
        )
        reasons.append(str(self.member.get_profession_display()).lower())
        if self.note:
            reasons.insert(0, self.note)
        return reasons


def _buddy_note(member: StaffMember, peer: PeerWorker, today: datetime.date) -> str:
    years = relativedelta(today, member.peer.start_date).years
    note = ngettext("peer worker for %(n)s year", "peer worker for %(n)s years", years) % {
        "n": years
    }
    if member.unit_id != peer.staff_member.unit_id:
        note += ", " + _("in %(unit)s") % {"unit": member.unit.name}
    return note


def candidates(
    peer: PeerWorker, preferred_profession: str = "", kind: str = "mentor"
) -> list[Candidate]:
    """Possible mentors in the peer worker's unit, best first, each with the reasons; for a
    buddy, experienced peer workers (a year or more) of any unit. The ranking only
    suggests; the leader chooses."""
    current = active_mentorships().filter(peer=peer).values("mentor_id")
    today = timezone.localdate()
    if kind == Mentorship.Kind.BUDDY:
        # Peers wished for a mentor who knows what working as a peer is (the evaluation).
        pool = StaffMember.objects.filter(
            active=True,
            profession=StaffMember.Profession.PEER,
            peer__start_date__lte=today - relativedelta(years=1),
        ).filter(Q(peer__end_date__isnull=True) | Q(peer__end_date__gte=today))
    else:
        pool = StaffMember.objects.filter(unit_id=peer.staff_member.unit_id, active=True).exclude(
            profession=StaffMember.Profession.PEER
        )
    members = (
        pool.exclude(pk=peer.staff_member_id)
        # The leader manages the peer worker; a current mentor or buddy is one already.
        .exclude(led_units=peer.staff_member.unit_id)
        .exclude(pk__in=current)
        .select_related("unit", "peer")
        .annotate(
            mentee_count=Count("mentorships", filter=Q(mentorships__end_date__isnull=True)),
            has_mentored=Exists(Mentorship.objects.filter(mentor=OuterRef("pk"))),
            introduced=Exists(MentorIntroduction.objects.filter(staff_member=OuterRef("pk"))),
        )
    )
    coming: set[int] = set()
    if kind != Mentorship.Kind.BUDDY:
        for path in settings.COMING_MENTOR_SOURCES:
            coming |= set(import_string(path)(peer))
    found = [
        Candidate(
            member=m,
            mentee_count=m.mentee_count,
            has_mentored=m.has_mentored,
            introduced=m.introduced,
            preferred=bool(preferred_profession) and m.profession == preferred_profession,
            note=_buddy_note(m, peer, today) if kind == Mentorship.Kind.BUDDY else "",
            coming=m.pk in coming,
        )
        for m in members
    ]
    found.sort(key=lambda c: c.rank)
    return found


# Facts for the action lists and the signals ----------------------------------------------


def peer_facts(today: datetime.date) -> dict[str, Any]:
    """Annotations of PeerWorker (OuterRef("pk")): the active mentorship with its last
    check-in held, and whether a buddy is appointed."""
    mentor = active_mentors().filter(peer=OuterRef("pk")).order_by("-start_date", "-pk")

    def of_mentor(field: str) -> Subquery:
        return Subquery(mentor.values(field)[:1])

    return {
        "mentorship_id": of_mentor("pk"),
        "mentorship_since": of_mentor("start_date"),
        "mentorship_last_held": of_mentor("last_held_on"),
        "mentorship_rhythm": of_mentor("rhythm"),
        "has_buddy": Exists(
            active_mentorships().filter(peer=OuterRef("pk"), kind=Mentorship.Kind.BUDDY)
        ),
    }


# What `leader_needs` reads of a peer worker annotated with `peer_facts`.
LEADER_FACTS = frozenset(
    {"mentorship_id", "mentorship_since", "mentorship_last_held", "mentorship_rhythm"}
)


def leader_needs(peer: Any, today: datetime.date) -> dict[str, datetime.date]:
    """What the peer worker's mentoring asks of the leader, by kind, with the day it has
    been due since: no mentor in the first six months, or no check-in held for too long."""
    if peer.mentorship_id is None:
        if peer.start_date > today - relativedelta(months=6):
            return {"mentor_missing": peer.start_date}
        return {}
    limit = settings.MENTORING_WARNING_DAYS
    if peer.mentorship_rhythm == Mentorship.Rhythm.MONTHLY:
        limit = settings.MENTORING_MONTHLY_WARNING_DAYS
    since = peer.mentorship_last_held or peer.mentorship_since
    if (today - since).days <= limit:
        return {}
    return {"mentoring_quiet": since + datetime.timedelta(days=limit)}


def leader_actions(peer: Any, today: datetime.date) -> list[Action]:
    """`leader_needs` as the leader's action list shows them."""
    needs = leader_needs(peer, today)
    if "mentor_missing" in needs:
        return [
            Action(
                "mentor_missing",
                _("No mentor appointed"),
                peer.name,
                needs["mentor_missing"],
                reverse("mentoring:mentor_assign", args=[peer.pk]),
            )
        ]
    if "mentoring_quiet" in needs:
        since = peer.mentorship_last_held or peer.mentorship_since
        return [
            Action(
                "mentoring_quiet",
                _("No mentor check-in held for %(days)s days") % {"days": (today - since).days},
                peer.name,
                needs["mentoring_quiet"],
                reverse("mentoring:mentorship_detail", args=[peer.mentorship_id]),
            )
        ]
    return []


def mentor_actions(rows: list[Health], today: datetime.date) -> list[Action]:
    """The mentor's own list: check-ins past their day and not yet logged."""
    actions = []
    for health in rows:
        if health.unlogged:
            actions.append(
                Action(
                    "checkin_unlogged",
                    ngettext("%(n)s check-in to log", "%(n)s check-ins to log", health.unlogged)
                    % {"n": health.unlogged},
                    health.mentorship.peer.name,
                    health.first_unlogged,
                    health.mentorship.get_absolute_url(),
                )
            )
    return actions


def proposed_weekday(peer: PeerWorker) -> int:
    """The weekly check-in's day to propose: the usual day when the peer worker has nothing
    else on it in the coming six months, otherwise the weekday (Monday to Friday) with the
    fewest teaching days and meetings (settings.BUSY_WEEKDAY_SOURCES)."""
    busy: Counter[int] = Counter()
    for path in settings.BUSY_WEEKDAY_SOURCES:
        busy.update(import_string(path)(peer))
    usual = settings.MENTORING_DEFAULT_WEEKDAY
    if busy[usual] == 0:
        return usual
    return min(range(5), key=lambda day: (busy[day], day))


@dataclass(frozen=True)
class ClashNotice:
    """What a mentorship's coming check-ins clash with (titles per check-in) and the page
    that moves them."""

    titles: dict[int, list[str]]
    url: str


def clash_notices(mentorship: Mentorship, upcoming: list[CheckIn]) -> list[ClashNotice]:
    """The clashes apps above this one find (settings.CHECKIN_CLASH_SOURCES), for a running
    mentorship's coming planned check-ins."""
    if not mentorship.is_active or not upcoming:
        return []
    found = [import_string(path)(mentorship, upcoming) for path in settings.CHECKIN_CLASH_SOURCES]
    return [notice for notice in found if notice.titles]
