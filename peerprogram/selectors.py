"""Reads for the role home pages and the list pages."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from mentoring import selectors as mentoring_selectors

from .models import PeerWorker, StaffMember, Unit


def employed_now_q(prefix: str = "") -> Q:
    """Peer workers who have started and not ended (prefix: the path to the peer worker)."""
    today = timezone.localdate()
    return Q(**{f"{prefix}start_date__lte": today}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": today})
    )


def units_with_counts(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """Units with the number of active staff and of peer workers employed now."""
    return units.order_by("name").annotate(
        staff_count=Count("staff", filter=Q(staff__active=True), distinct=True),
        peer_count=Count("staff__peer", filter=employed_now_q("staff__peer__"), distinct=True),
    )


def unit_staff(unit: Unit) -> QuerySet[StaffMember]:
    """The unit's staff other than its peer workers (they have their own table)."""
    return unit.staff.filter(peer__isnull=True).select_related("user").order_by("-active", "name")


def peers_with_mentors(peers: QuerySet[PeerWorker]) -> list[PeerWorker]:
    """Peers in a list, each with `.current_mentor` set, in two queries."""
    peers = list(peers.select_related("staff_member__unit"))
    mentors = mentoring_selectors.current_mentors_by_peer([p.pk for p in peers])
    for peer in peers:
        peer.current_mentor = mentors.get(peer.pk)
    return peers


def unit_peers(unit: Unit) -> list[PeerWorker]:
    return peers_with_mentors(
        PeerWorker.objects.filter(staff_member__unit=unit).order_by("start_date")
    )


def programme_totals() -> dict[str, int]:
    """Counts for the Centre's overview, in two queries."""
    has_mentor = mentoring_selectors.has_active_mentor()
    peers = (
        PeerWorker.objects.filter(employed_now_q())
        .annotate(has_mentor=has_mentor)
        .aggregate(
            peers=Count("pk"),
            peers_under_recommended=Count(
                "pk", filter=Q(hours_per_week__lt=settings.PEER_RECOMMENDED_MIN_HOURS)
            ),
            peers_without_mentor=Count("pk", filter=Q(has_mentor=False)),
        )
    )
    starting = PeerWorker.objects.filter(start_date__gt=timezone.localdate()).count()
    return {"units": Unit.objects.filter(active=True).count(), "peers_starting": starting, **peers}
