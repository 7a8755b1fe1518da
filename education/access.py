"""Who reaches what in the education. One helper per object type; 404 outside reach.

- Everyone signed in sees the cohorts (dates and places), the erfa groups and their
  meetings, and their own calendar.
- Centre staff and administrators run it all: cohorts, attendance, externals, groups,
  series, supervision, reports.
- A leader enrols the peer workers of their own units, adds their mentors to modules,
  records their mandatory courses, and sees their participants and fees.
- A peer worker sees their own education and courses and proposes erfa topics.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from peerprogram.access import RequestUser, get_actor, peers_for
from peerprogram.models import PeerWorker, StaffMember

from .models import (
    Audience,
    Cohort,
    CohortModule,
    Enrolment,
    ErfaGroup,
    Meeting,
    MeetingSeries,
    TopicProposal,
)


def runs_education(user: RequestUser) -> bool:
    return get_actor(user).sees_programme


def get_cohort_for(user: RequestUser, pk: int) -> Cohort:
    return get_object_or_404(Cohort, pk=pk)


def get_cohort_for_edit(user: RequestUser, pk: int) -> Cohort:
    if not runs_education(user):
        raise Http404
    return get_object_or_404(Cohort, pk=pk)


def get_session_for_edit(user: RequestUser, cohort: Cohort, pk: int) -> CohortModule:
    if not runs_education(user):
        raise Http404
    return get_object_or_404(cohort.sessions.select_related("module"), pk=pk)


def enrolments_visible(user: RequestUser, cohort: Cohort) -> QuerySet[Enrolment]:
    """Centre: every participant. Others: the participants from their own reach."""
    enrolments = cohort.enrolments.select_related("peer__staff_member__unit", "paying_unit")
    if runs_education(user):
        return enrolments
    return enrolments.filter(peer__in=peers_for(user))


def enrollable_peers(user: RequestUser) -> QuerySet[PeerWorker]:
    """Peers this user may enrol: a leader's own units' peers, or anyone for the Centre."""
    actor = get_actor(user)
    peers = PeerWorker.objects.select_related("staff_member__unit").filter(
        staff_member__active=True
    )
    if actor.sees_programme:
        return peers
    return peers.filter(staff_member__unit_id__in=actor.led_unit_ids)


def may_enrol(user: RequestUser) -> bool:
    return get_actor(user).manages_units


def get_enrolment_for_edit(user: RequestUser, pk: int) -> Enrolment:
    """Cancel a seat or add a mentor to modules: the Centre, or the peer's leader."""
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("cohort", "peer__staff_member__unit"), pk=pk
    )
    actor = get_actor(user)
    if actor.sees_programme:
        return enrolment
    if enrolment.peer is not None and enrolment.peer.staff_member.unit_id in actor.led_unit_ids:
        return enrolment
    raise Http404


def get_enrolment_for_centre(user: RequestUser, pk: int) -> Enrolment:
    if not runs_education(user):
        raise Http404
    return get_object_or_404(Enrolment.objects.select_related("cohort", "peer"), pk=pk)


def get_peer_courses_for(user: RequestUser, pk: int) -> PeerWorker:
    """See a peer's mandatory courses: whoever sees the peer worker."""
    return get_object_or_404(peers_for(user), pk=pk)


def may_edit_courses(user: RequestUser, peer: PeerWorker) -> bool:
    actor = get_actor(user)
    return actor.sees_programme or peer.staff_member.unit_id in actor.led_unit_ids


def get_group_for(user: RequestUser, pk: int) -> ErfaGroup:
    return get_object_or_404(ErfaGroup.objects.select_related("facilitator"), pk=pk)


def get_group_for_edit(user: RequestUser, pk: int) -> ErfaGroup:
    if not runs_education(user):
        raise Http404
    return get_group_for(user, pk)


def get_series_for_edit(user: RequestUser, pk: int) -> MeetingSeries:
    """A meeting series, for the Centre that runs the erfa groups."""
    if not runs_education(user):
        raise Http404
    return get_object_or_404(MeetingSeries.objects.select_related("group"), pk=pk)


def may_propose(user: RequestUser, group: ErfaGroup) -> bool:
    """Those the group is for propose its topics (and the Centre)."""
    actor = get_actor(user)
    if actor.sees_programme:
        return True
    if group.audience == Audience.PEERS:
        return actor.is_peer
    if group.audience == Audience.MENTORS:
        return actor.is_mentor
    return bool(actor.staff and group.members.filter(pk=actor.staff.pk).exists())


def meetings_for(user: RequestUser) -> QuerySet[Meeting]:
    """Erfa meetings are open to everyone signed in; supervision to its peer workers,
    their leaders and the Centre."""
    actor = get_actor(user)
    meetings = Meeting.objects.select_related("group", "facilitator")
    if actor.sees_programme:
        return meetings
    reach = ~Q(kind=Meeting.Kind.SUPERVISION)
    reach |= Q(participants__staff_member__unit_id__in=actor.led_unit_ids)
    if actor.peer:
        reach |= Q(participants=actor.peer)
    if actor.staff:
        reach |= Q(facilitator=actor.staff)
    return meetings.filter(reach).distinct()


def get_meeting_for(user: RequestUser, pk: int) -> Meeting:
    return get_object_or_404(meetings_for(user), pk=pk)


def get_meeting_for_edit(user: RequestUser, pk: int) -> Meeting:
    """The Centre changes every meeting; a leader the supervision they may arrange: one
    whose peer workers all work in units they lead."""
    meeting = get_object_or_404(Meeting.objects.select_related("group"), pk=pk)
    if runs_education(user) or leads_supervision(user, meeting):
        return meeting
    raise Http404


def may_arrange_supervision(user: RequestUser) -> bool:
    """Supervision is arranged by the Centre, or by a leader for their own peer workers."""
    actor = get_actor(user)
    return actor.sees_programme or actor.is_leader


def supervision_peers_for(user: RequestUser) -> QuerySet[PeerWorker]:
    """The peer workers a user may arrange supervision for (employed, active staff)."""
    actor = get_actor(user)
    peers = PeerWorker.objects.filter(staff_member__active=True).select_related(
        "staff_member__unit"
    )
    if actor.sees_programme:
        return peers
    return peers.filter(staff_member__unit_id__in=actor.led_unit_ids)


def leads_supervision(user: RequestUser, meeting: Meeting) -> bool:
    actor = get_actor(user)
    if meeting.kind != Meeting.Kind.SUPERVISION or not actor.is_leader:
        return False
    units = set(meeting.participants.values_list("staff_member__unit_id", flat=True))
    return bool(units) and units <= actor.led_unit_ids


def get_proposal_for_edit(user: RequestUser, pk: int) -> TopicProposal:
    if not runs_education(user):
        raise Http404
    return get_object_or_404(TopicProposal.objects.select_related("group"), pk=pk)


def calendar_people(user: RequestUser) -> QuerySet[StaffMember]:
    """Whose calendar a user may open: their own; a leader their units' staff; the Centre
    everyone's."""
    actor = get_actor(user)
    staff = StaffMember.objects.filter(active=True).select_related("unit")
    if actor.sees_programme:
        return staff
    reach = Q(unit_id__in=actor.led_unit_ids)
    if actor.staff:
        reach |= Q(pk=actor.staff.pk)
    return staff.filter(reach)
