"""Who reaches the signals and the programme's health.

A unit's signals (and acknowledging them): the unit's leader, Centre staff and
administrators. The programme's health page and its exports: Centre staff and
administrators. Signals never hold note content."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from peerprogram.access import RequestUser, get_actor, get_unit_for, require
from peerprogram.models import PeerWorker, StaffMember, Unit


def get_unit_for_signals(user: RequestUser, pk: int) -> Unit:
    return get_unit_for(user, pk)


def get_peer_for_signals(user: RequestUser, peer_pk: int) -> PeerWorker:
    """A peer worker whose signals the user acknowledges: the leader of their unit, the
    Centre, administrators."""
    actor = get_actor(user)
    peer = get_object_or_404(PeerWorker.objects.select_related("staff_member__unit"), pk=peer_pk)
    if not (actor.sees_programme or peer.staff_member.unit_id in actor.led_unit_ids):
        raise Http404
    return peer


def require_programme(user: RequestUser) -> None:
    """The programme's health: a page the Centre has use for, others not (403)."""
    require(get_actor(user).sees_programme)


def own_staff(user: RequestUser) -> StaffMember:
    """The user's own staff record (their e-mail choices); none: 404."""
    actor = get_actor(user)
    if actor.staff is None:
        raise Http404
    return actor.staff
