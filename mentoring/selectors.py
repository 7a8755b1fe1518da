"""Reads about who mentors whom, for use from any app."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from peerprogram.models import PeerWorker, StaffMember

from .models import Mentorship


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


def current_mentors_by_peer(peer_ids: list[int]) -> dict[int, StaffMember]:
    """The active mentor of each peer, in one query (for list pages)."""
    if not peer_ids:
        return {}
    rows = active_mentorships().filter(peer_id__in=peer_ids).select_related("mentor")
    return {m.peer_id: m.mentor for m in rows}


def has_active_mentor() -> Exists:
    """An expression for annotating peer workers: True when a mentor is appointed now."""
    return Exists(active_mentorships().filter(peer=OuterRef("pk")))


def mentor_since_by_peer(peer_ids: list[int]) -> dict[int, tuple[StaffMember, object]]:
    """For each peer with an active mentor: (mentor, start date), in one query."""
    if not peer_ids:
        return {}
    rows = active_mentorships().filter(peer_id__in=peer_ids).select_related("mentor")
    return {m.peer_id: (m.mentor, m.start_date) for m in rows}
