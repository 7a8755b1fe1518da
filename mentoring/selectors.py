"""Reads about who mentors whom and how the mentorships are going, for use from any app."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peerprogram.models import PeerWorker, StaffMember

from .models import CheckIn, MentorIntroduction, Mentorship


def active_mentorships() -> QuerySet[Mentorship]:
    return Mentorship.objects.filter(end_date__isnull=True)


def mentee_peer_ids(mentor: StaffMember | None) -> set[int]:
    """Ids of the peer workers this staff member mentors now."""
    if mentor is None:
        return set()
    return set(active_mentorships().filter(mentor=mentor).values_list("peer_id", flat=True))


def mentees_of(mentor: StaffMember) -> QuerySet[PeerWorker]:
    return PeerWorker.objects.filter(
        mentorships__mentor=mentor, mentorships__end_date__isnull=True
    ).select_related("staff_member__unit")


def current_mentor_of(peer: PeerWorker) -> StaffMember | None:
    mentorship = active_mentorships().filter(peer=peer).select_related("mentor").first()
    return mentorship.mentor if mentorship else None


def current_mentorship_of(peer: PeerWorker) -> Mentorship | None:
    return active_mentorships().filter(peer=peer).select_related("mentor").first()


def current_mentors_by_peer(peer_ids: list[int]) -> dict[int, StaffMember]:
    """The active mentor of each peer, in one query (for list pages)."""
    if not peer_ids:
        return {}
    rows = active_mentorships().filter(peer_id__in=peer_ids).select_related("mentor")
    return {m.peer_id: m.mentor for m in rows}


def mentor_since_by_peer(peer_ids: list[int]) -> dict[int, tuple[StaffMember, object]]:
    """For each peer with an active mentor: (mentor, start date), in one query."""
    if not peer_ids:
        return {}
    rows = active_mentorships().filter(peer_id__in=peer_ids).select_related("mentor")
    return {m.peer_id: (m.mentor, m.start_date) for m in rows}


def has_active_mentor() -> Exists:
    """An expression for annotating peer workers: True when a mentor is appointed now."""
    return Exists(active_mentorships().filter(peer=OuterRef("pk")))


# Health ----------------------------------------------------------------------------


def with_health(mentorships: QuerySet[Mentorship], today: datetime.date) -> QuerySet:
    """Annotate each mentorship with its check-in figures (one query for a whole list)."""
    return mentorships.select_related("mentor", "peer__staff_member__unit__leader").annotate(
        due_count=Count("checkins", filter=Q(checkins__date__lte=today)),
        held_count=Count("checkins", filter=Q(checkins__status=CheckIn.Status.HELD)),
        planned_count=Count("checkins"),
        last_held=Max("checkins__date", filter=Q(checkins__status=CheckIn.Status.HELD)),
        next_date=Min(
            "checkins__date",
            filter=Q(checkins__status=CheckIn.Status.PLANNED, checkins__date__gte=today),
        ),
    )


@dataclass
class Health:
    mentorship: Mentorship
    today: datetime.date

    @property
    def held(self) -> int:
        return self.mentorship.held_count

    @property
    def due(self) -> int:
        return self.mentorship.due_count

    @property
    def planned(self) -> int:
        return self.mentorship.planned_count

    @property
    def share_held(self) -> int | None:
        """Per cent of the check-ins due so far that were held."""
        return round(100 * self.held / self.due) if self.due else None

    @property
    def last_held(self) -> datetime.date | None:
        return self.mentorship.last_held

    @property
    def next_date(self) -> datetime.date | None:
        return self.mentorship.next_date

    @property
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


def health_rows(mentorships: QuerySet[Mentorship], today: datetime.date | None = None):
    today = today or timezone.localdate()
    return [Health(m, today) for m in with_health(mentorships, today)]


def health_for(mentorship: Mentorship) -> Health:
    return health_rows(Mentorship.objects.filter(pk=mentorship.pk))[0]


def health_by_peer(peer_ids: list[int]) -> dict[int, Health]:
    """The active mentorship's health for each peer, in one query."""
    if not peer_ids:
        return {}
    rows = health_rows(active_mentorships().filter(peer_id__in=peer_ids))
    return {h.mentorship.peer_id: h for h in rows}


# Matching --------------------------------------------------------------------------


@dataclass
class Candidate:
    member: StaffMember
    mentee_count: int
    has_mentored: bool
    introduced: bool
    preferred: bool

    @property
    def reasons(self) -> list[str]:
        reasons = []
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
        return reasons


def candidates(peer: PeerWorker, preferred_profession: str = "") -> list[Candidate]:
    """Possible mentors in the peer worker's unit, best first, each with the reasons.
    The ranking only suggests; the leader chooses."""
    current = active_mentorships().filter(peer=peer).values("mentor_id")
    members = (
        StaffMember.objects.filter(unit_id=peer.staff_member.unit_id, active=True)
        .exclude(pk=peer.staff_member_id)
        .exclude(profession=StaffMember.Profession.PEER)
        # The leader manages the peer worker; the current mentor is already the mentor.
        .exclude(led_units=peer.staff_member.unit_id)
        .exclude(pk__in=current)
        .annotate(
            mentee_count=Count("mentorships", filter=Q(mentorships__end_date__isnull=True)),
            has_mentored=Exists(Mentorship.objects.filter(mentor=OuterRef("pk"))),
            introduced=Exists(MentorIntroduction.objects.filter(staff_member=OuterRef("pk"))),
        )
    )
    found = [
        Candidate(
            member=m,
            mentee_count=m.mentee_count,
            has_mentored=m.has_mentored,
            introduced=m.introduced,
            preferred=bool(preferred_profession) and m.profession == preferred_profession,
        )
        for m in members
    ]
    found.sort(
        key=lambda c: (
            not c.preferred,
            c.mentee_count,
            not c.introduced,
            not c.has_mentored,
            c.member.name,
        )
    )
    return found
