"""Who may reach what. One helper per object type; views never check inline.

Rules (docs/permissions.md has the full matrix):
- administrators and Centre staff reach the whole programme (never patient-note content);
- a leader reaches the units they lead, their staff and their peers;
- a peer worker reaches their own records; a mentor the peers they mentor;
- anything outside a user's reach is a 404, so its existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypedDict, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Aggregate, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.sql.compiler import SQLCompiler
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django_htmx.middleware import HtmxDetails

from .models import PeerWorker, StaffMember, Unit

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# The user of a request: signed in (the project uses Django's own User) or anonymous.
RequestUser: TypeAlias = User | AnonymousUser


class AuthenticatedHttpRequest(HttpRequest):
    """The request of every view not marked `login_not_required`: LoginRequiredMiddleware
    has already sent anyone not signed in to the login page. HtmxMiddleware adds `htmx`."""

    user: User
    htmx: HtmxDetails


class HasPk(Protocol):
    @property
    def pk(self) -> Any: ...


T = TypeVar("T", bound=HasPk)
V = TypeVar("V")


@dataclass(frozen=True)
class Actor:
    """The roles one user holds, worked out once per request."""

    user: RequestUser
    staff: StaffMember | None
    is_admin: bool
    is_centre: bool
    led_unit_ids: frozenset[int]
    peer: PeerWorker | None
    mentee_ids: frozenset[int]

    @property
    def is_leader(self) -> bool:
        return bool(self.led_unit_ids)

    @property
    def is_peer(self) -> bool:
        return self.peer is not None

    @property
    def is_mentor(self) -> bool:
        return bool(self.mentee_ids)

    @property
    def sees_programme(self) -> bool:
        return self.is_admin or self.is_centre

    @property
    def manages_units(self) -> bool:
        return self.sees_programme or self.is_leader


class IdList(Aggregate):
    """The ids of a group as one text, "3,5,8": the actor's units and mentees come with the
    staff row instead of in queries of their own."""

    function = "GROUP_CONCAT"  # SQLite
    output_field = TextField()

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, Sequence[Any]]:
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s((%(expressions)s)::text, ',')",
            **extra_context,
        )


def _ids(text: str | None) -> frozenset[int]:
    return frozenset(int(part) for part in (text or "").split(",") if part)


class _ActorIds(TypedDict):
    led_ids: str | None
    mentee_ids: str | None


def _actor_staff(user_id: int) -> WithAnnotations[StaffMember, _ActorIds] | None:
    """The user's active staff row with the ids of the units they lead and of the peer
    workers they mentor now, in one query. The mentorships belong to the mentoring app; the
    core reads them through the reverse relation Django gives PeerWorker ("mentorships")."""
    led = (
        Unit.objects.filter(leader=OuterRef("pk"), active=True)
        .order_by()
        .values("leader")
        .annotate(ids=IdList("pk"))
        .values("ids")
    )
    mentees = (
        PeerWorker.objects.filter(
            mentorships__mentor=OuterRef("pk"), mentorships__end_date__isnull=True
        )
        .order_by()
        .values("mentorships__mentor")
        .annotate(ids=IdList("pk"))
        .values("ids")
    )
    return (
        StaffMember.objects.select_related("unit", "peer")
        .annotate(led_ids=Subquery(led), mentee_ids=Subquery(mentees))
        .filter(user_id=user_id, active=True)
        .order_by("pk")
        .first()
    )


_ACTOR_ATTRIBUTE = "_peerprogram_actor"


def get_actor(user: RequestUser) -> Actor:
    """The user's roles, in one query, kept on the user object for the rest of the request
    (the views, the access helpers and the navigation's context processor all ask)."""
    cached: Actor | None = getattr(user, _ACTOR_ATTRIBUTE, None)
    if cached is not None:
        return cached
    if isinstance(user, AnonymousUser):
        actor = Actor(user, None, False, False, frozenset(), None, frozenset())
    else:
        staff = _actor_staff(user.pk)
        actor = Actor(
            user=user,
            staff=staff,
            is_admin=bool(user.is_superuser),
            is_centre=bool(staff and staff.is_centre_staff),
            led_unit_ids=_ids(staff.led_ids if staff else None),
            peer=getattr(staff, "peer", None) if staff else None,
            mentee_ids=_ids(staff.mentee_ids if staff else None),
        )
    setattr(user, _ACTOR_ATTRIBUTE, actor)
    return actor


def require(condition: bool) -> None:
    """For pages a role has no use for at all (403), as opposed to objects out of reach (404)."""
    if not condition:
        raise PermissionDenied


def required(role: V | None) -> V:
    """The user's record for a role a page is only for (`actor.staff`, `actor.peer`), or 403."""
    if role is None:
        raise PermissionDenied
    return role


# Units -----------------------------------------------------------------------


def units_for(user: RequestUser) -> QuerySet[Unit]:
    actor = get_actor(user)
    units = Unit.objects.select_related("leader")
    if actor.sees_programme:
        return units
    return units.filter(pk__in=actor.led_unit_ids)


def units_reached(user: RequestUser, units: Iterable[T]) -> list[T]:
    """Those of `units` (anything with a pk) that are among units_for(user), decided from
    the roles alone: for a list of units another query has already read."""
    actor = get_actor(user)
    if actor.sees_programme:
        return list(units)
    return [unit for unit in units if unit.pk in actor.led_unit_ids]


def get_unit_for(user: RequestUser, pk: int) -> Unit:
    """A unit the user may see and edit: its leader, Centre staff or an administrator."""
    return get_object_or_404(units_for(user), pk=pk)


def can_create_unit(user: RequestUser) -> bool:
    return get_actor(user).sees_programme


def can_edit_unit_leader(user: RequestUser) -> bool:
    return get_actor(user).sees_programme


# Staff members ---------------------------------------------------------------


def staff_for(user: RequestUser) -> QuerySet[StaffMember]:
    """Staff members the user may see: programme-wide, a leader's units, and oneself."""
    actor = get_actor(user)
    staff = StaffMember.objects.select_related("unit", "peer")
    if actor.sees_programme:
        return staff
    reach = Q(unit_id__in=actor.led_unit_ids)
    if actor.staff:
        reach |= Q(pk=actor.staff.pk)
    return staff.filter(reach)


def get_staff_for(user: RequestUser, pk: int) -> StaffMember:
    return get_object_or_404(staff_for(user), pk=pk)


def get_staff_for_edit(user: RequestUser, pk: int) -> StaffMember:
    """Only a leader of the member's unit, Centre staff or an administrator edit a staff member.

    A leader cannot edit Centre staff, or someone who leads a unit the leader does not
    lead: switching them off would take away roles the leader does not own.
    """
    member = get_staff_for(user, pk)
    if not may_edit_staff(user, member):
        raise Http404
    return member


def may_edit_staff(user: RequestUser, member: StaffMember) -> bool:
    actor = get_actor(user)
    if actor.sees_programme:
        return True
    if member.unit_id not in actor.led_unit_ids or member.is_centre_staff:
        return False
    return not member.led_units.exclude(pk__in=actor.led_unit_ids).exists()


def editable_units_for(user: RequestUser) -> QuerySet[Unit]:
    """Units a user may place staff members in."""
    return units_for(user).filter(active=True)


# Peer workers ----------------------------------------------------------------


def peers_for(user: RequestUser) -> QuerySet[PeerWorker]:
    actor = get_actor(user)
    peers = PeerWorker.objects.select_related("staff_member__unit")
    if actor.sees_programme:
        return peers
    reach = Q(staff_member__unit_id__in=actor.led_unit_ids) | Q(pk__in=actor.mentee_ids)
    if actor.peer:
        reach |= Q(pk=actor.peer.pk)
    return peers.filter(reach)


def get_peer_for(user: RequestUser, pk: int) -> PeerWorker:
    return get_object_or_404(peers_for(user), pk=pk)


def get_peer_for_edit(user: RequestUser, pk: int) -> PeerWorker:
    """Employment facts are the leader's (or the Centre's, or an administrator's) to change."""
    peer = get_peer_for(user, pk)
    actor = get_actor(user)
    if not (actor.sees_programme or peer.staff_member.unit_id in actor.led_unit_ids):
        raise Http404
    return peer
