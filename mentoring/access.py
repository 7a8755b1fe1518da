"""Who reaches a mentorship. The notes of a check-in are for the mentor and the peer only."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from peerprogram.access import RequestUser, get_actor

from .models import AwayPeriod, CheckIn, Mentorship, MentorshipTask


def mentorships_for(user: RequestUser) -> QuerySet[Mentorship]:
    actor = get_actor(user)
    mentorships = Mentorship.objects.select_related("mentor", "peer__staff_member__unit")
    if actor.sees_programme:
        return mentorships
    reach = Q(peer__staff_member__unit_id__in=actor.led_unit_ids)
    if actor.staff:
        reach |= Q(mentor=actor.staff)
    if actor.peer:
        reach |= Q(peer=actor.peer)
    return mentorships.filter(reach)


def get_mentorship_for(user: RequestUser, pk: int) -> Mentorship:
    return get_object_or_404(mentorships_for(user), pk=pk)


def is_party(user: RequestUser, mentorship: Mentorship) -> bool:
    """The mentor or the peer worker of this mentorship: they log and read the notes."""
    actor = get_actor(user)
    return bool(
        (actor.staff and actor.staff.pk == mentorship.mentor_id)
        or (actor.peer and actor.peer.pk == mentorship.peer_id)
    )


def may_manage(user: RequestUser, mentorship: Mentorship) -> bool:
    """Ending or changing the rhythm: the unit's leader, Centre staff, administrators."""
    actor = get_actor(user)
    return actor.sees_programme or mentorship.peer.staff_member.unit_id in actor.led_unit_ids


def get_checkin_for_logging(user: RequestUser, pk: int) -> CheckIn:
    checkin = get_object_or_404(
        CheckIn.objects.select_related("mentorship__peer__staff_member", "mentorship__mentor"),
        pk=pk,
    )
    if not is_party(user, checkin.mentorship):
        raise Http404
    return checkin


def movable_checkins(user: RequestUser) -> QuerySet[CheckIn]:
    """Coming planned check-ins of running mentorships that this user may move to another
    day: the mentor and the peer worker (as when logging one as moved), and whoever may
    change the mentorship's rhythm (its unit's leader, Centre staff, administrators). The
    note between the two is not part of a move."""
    return CheckIn.objects.filter(
        mentorship__in=mentorships_for(user).filter(end_date__isnull=True).values("pk"),
        status=CheckIn.Status.PLANNED,
        date__gte=timezone.localdate(),
    ).select_related("mentorship__peer__staff_member", "mentorship__mentor")


def get_task_for(user: RequestUser, pk: int) -> MentorshipTask:
    task = get_object_or_404(MentorshipTask.objects.select_related("mentorship"), pk=pk)
    actor = get_actor(user)
    if not (actor.staff and actor.staff.pk == task.mentorship.mentor_id):
        raise Http404
    return task


def get_away_period_for(user: RequestUser, pk: int) -> AwayPeriod:
    actor = get_actor(user)
    if not actor.staff:
        raise Http404
    return get_object_or_404(AwayPeriod, pk=pk, mentor=actor.staff)
