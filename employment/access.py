"""Who reaches a function description.

Read: the peer worker themself, their current mentors, the leader of their unit, Centre
staff and administrators (the description is handed to the team; it holds no patient
data). Drafted and changed by the unit's leader, Centre staff and administrators; agreed
by the unit's leader and by the peer worker, each for themself. The template is the
Centre's.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from peerprogram.access import RequestUser, get_actor
from peerprogram.models import PeerWorker

from .models import FunctionDescription, OutsideTask, Talk, TalkAction


def descriptions_for(user: RequestUser) -> QuerySet[FunctionDescription]:
    actor = get_actor(user)
    descriptions = FunctionDescription.objects.select_related("peer__staff_member__unit")
    if actor.sees_programme:
        return descriptions
    reach = Q(peer__staff_member__unit_id__in=actor.led_unit_ids) | Q(peer_id__in=actor.mentee_ids)
    if actor.peer:
        reach |= Q(peer=actor.peer)
    return descriptions.filter(reach)


def get_description_for(user: RequestUser, pk: int) -> FunctionDescription:
    return get_object_or_404(descriptions_for(user), pk=pk)


def may_write(user: RequestUser, peer: PeerWorker) -> bool:
    """Drafting, changing and revising: the unit's leader, the Centre, administrators."""
    actor = get_actor(user)
    return actor.sees_programme or peer.staff_member.unit_id in actor.led_unit_ids


def get_draft_for_edit(user: RequestUser, pk: int) -> FunctionDescription:
    description = get_description_for(user, pk)
    if not may_write(user, description.peer) or description.agreed:
        raise Http404
    return description


def agrees_as(user: RequestUser, description: FunctionDescription) -> str:
    """ "leader" or "peer" when the user may still agree to this draft in that role, else
    ""."""
    actor = get_actor(user)
    if actor.peer is not None and actor.peer.pk == description.peer_id:
        return "peer" if description.peer_agreed_on is None else ""
    if description.peer.staff_member.unit_id in actor.led_unit_ids:
        return "leader" if description.leader_agreed_on is None else ""
    return ""


def may_edit_template(user: RequestUser) -> bool:
    return get_actor(user).sees_programme


# The leader's follow-up: the unit's leader and the peer worker, nobody else ------------


def reaches_follow_up(user: RequestUser, peer: PeerWorker) -> bool:
    """The peer worker themself, or the leader of their unit."""
    actor = get_actor(user)
    own = actor.peer is not None and actor.peer.pk == peer.pk
    return own or peer.staff_member.unit_id in actor.led_unit_ids


def get_peer_for_follow_up(user: RequestUser, peer_pk: int) -> PeerWorker:
    """A peer worker whose talks the user reads: their own, or as the unit's leader. Not
    the Centre, not a mentor, not an administrator: the talks are between the two."""
    peer = get_object_or_404(PeerWorker.objects.select_related("staff_member__unit"), pk=peer_pk)
    if not reaches_follow_up(user, peer):
        raise Http404
    return peer


def may_record(user: RequestUser, peer: PeerWorker) -> bool:
    """Recording, moving and cancelling talks, the rhythm: the unit's leader."""
    return peer.staff_member.unit_id in get_actor(user).led_unit_ids


def get_peer_for_recording(user: RequestUser, peer_pk: int) -> PeerWorker:
    peer = get_peer_for_follow_up(user, peer_pk)
    if not may_record(user, peer):
        raise Http404
    return peer


def get_talk_for(user: RequestUser, pk: int) -> Talk:
    talk = get_object_or_404(Talk.objects.select_related("peer__staff_member__unit"), pk=pk)
    get_peer_for_follow_up(user, talk.peer_id)
    return talk


def get_action_for(user: RequestUser, pk: int, *, editing: bool = False) -> TalkAction:
    """An agreed action: ticked by the unit's leader or the peer worker; its text, who is
    responsible and by when changed by the leader."""
    action = get_object_or_404(TalkAction.objects.select_related("talk"), pk=pk)
    if editing:
        get_peer_for_recording(user, action.talk.peer_id)
    else:
        get_peer_for_follow_up(user, action.talk.peer_id)
    return action


# The leaflet and the staff group's questions ----------------------------------------------


def get_peer_for_presentation(user: RequestUser, peer_pk: int) -> PeerWorker:
    """Writing the presentation for the leaflet: the peer worker themself only."""
    actor = get_actor(user)
    if actor.peer is None or actor.peer.pk != peer_pk:
        raise Http404
    return actor.peer


def get_peer_for_leaflet(user: RequestUser, peer_pk: int) -> PeerWorker:
    """The leaflet: the peer worker, the leader of their unit, the Centre."""
    actor = get_actor(user)
    peer = get_object_or_404(PeerWorker.objects.select_related("staff_member__unit"), pk=peer_pk)
    own = actor.peer is not None and actor.peer.pk == peer.pk
    if not (own or actor.sees_programme or peer.staff_member.unit_id in actor.led_unit_ids):
        raise Http404
    return peer


def get_outside_task_for(user: RequestUser, pk: int) -> OutsideTask:
    """An entry of the weekly log of tasks outside the description: the peer worker and
    the leader of their unit, like the talks."""
    task = get_object_or_404(OutsideTask.objects.select_related("peer"), pk=pk)
    get_peer_for_follow_up(user, task.peer_id)
    return task
