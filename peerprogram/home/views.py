"""The role home pages and a peer worker's page: what each app says about a person."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from education import selectors as education_selectors
from employment import selectors as employment_selectors
from mentoring import selectors as mentoring_selectors
from peerprogram import access, presenters, selectors
from peerprogram.access import AuthenticatedHttpRequest
from programme import actions
from recruitment import selectors as recruitment_selectors


@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    actor = access.get_actor(request.user)
    today = timezone.localdate()
    gathered = actions.gather(actor, today)
    context: dict = {"actor": actor, "today": today, "todo": gathered.todo, **gathered.data}
    if actor.is_leader:
        assert actor.staff is not None  # a leader is one of the unit's staff
        context["led_units"] = presenters.unit_tables(
            selectors.unit_people(led_by=actor.staff.pk, led_ids=actor.led_unit_ids)
        )
    if actor.peer:
        own = mentoring_selectors.health_of_peer(actor.peer)
        context["own_peer"] = actor.peer
        context["own_mentoring"] = own
        context["own_mentor"] = own[0].mentorship.mentor if own else None
    if actor.staff:
        context["committee_seats"] = recruitment_selectors.open_committee_seats(actor.staff)
    if actor.staff and (actor.peer or actor.is_mentor):
        context["schedule"] = education_selectors.coming_for(actor.staff, limit=5)
    return render(request, "peerprogram/home.html", context)


@require_GET
def peer_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    peer = access.get_peer_for(request.user, pk)
    actor = access.get_actor(request.user)
    may_edit = actor.sees_programme or peer.staff_member.unit_id in actor.led_unit_ids
    mentorship = mentoring_selectors.current_mentorship_of(peer)
    buddy = mentoring_selectors.current_mentorship_of(peer, "buddy")
    is_self = actor.peer is not None and actor.peer.pk == peer.pk
    # The follow-up talks are the leader's and the peer worker's only.
    talks_reached = is_self or peer.staff_member.unit_id in actor.led_unit_ids
    return render(
        request,
        "peerprogram/peer_detail.html",
        {
            "peer": peer,
            "may_edit": may_edit,
            "mentor": mentorship.mentor if mentorship else None,
            "is_self": is_self,
            # Lived experience and earlier profession: the leader, the Centre, the peer
            # worker themself; not a mentor.
            "show_background": may_edit or is_self,
            "supervision": education_selectors.supervision_of(peer)
            if may_edit or is_self
            else None,
            "onboarding": recruitment_selectors.onboarding_of(peer) if may_edit else None,
            "mentorship": mentorship,
            "buddy": buddy,
            "education": education_selectors.education_summary(peer),
            "function": employment_selectors.revisions_of(peer),
            "follow_up": employment_selectors.follow_up_of(peer) if talks_reached else None,
            "today": timezone.localdate(),
        },
    )
