"""Mentoring pages: appointing a mentor, the mentorship and its check-ins, overviews."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerprogram import access as core_access
from peerprogram.access import AuthenticatedHttpRequest
from peerprogram.calendar import ics_response
from peerprogram.models import StaffMember
from peerprogram.services import ConcurrentEditError
from peerprogram.views import PAGE_SIZE, apply_service, handle_form, int_or_zero

from . import access, presenters, selectors, services
from .calendar import mentorship_calendar
from .forms import AwayForm, CheckInLogForm, MentorAssignForm
from .models import CheckIn, Mentorship


@require_http_methods(["GET", "POST"])
def mentor_assign(request: AuthenticatedHttpRequest, peer_pk: int) -> HttpResponse:
    """The leader chooses a mentor from the unit (or, with ?kind=buddy, a buddy beside the
    mentor: an experienced peer worker of any unit); the page suggests, with reasons."""
    peer = core_access.get_peer_for_edit(request.user, peer_pk)
    kind = request.GET.get("kind", Mentorship.Kind.MENTOR)
    if kind not in Mentorship.Kind.values:
        kind = Mentorship.Kind.MENTOR
    preferred = request.GET.get("prefer", "")
    if preferred not in StaffMember.Profession.values:
        preferred = ""
    candidates = selectors.candidates(peer, preferred, kind)
    form = MentorAssignForm(request.POST or None, peer=peer, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        mentorship = apply_service(
            form,
            lambda: services.mentor_assign(
                peer=peer, by=request.user, kind=kind, **form.cleaned_data
            ),
        )
        if mentorship:
            message = (
                _("%(mentor)s is now buddy for %(peer)s. The weekly check-ins are planned.")
                if kind == Mentorship.Kind.BUDDY
                else _("%(mentor)s is now mentor for %(peer)s. The weekly check-ins are planned.")
            )
            messages.success(
                request, message % {"mentor": mentorship.mentor.name, "peer": peer.name}
            )
            return redirect(mentorship)
    current = selectors.current_mentorship_of(peer, kind)
    return render(
        request,
        "mentoring/mentor_assign.html",
        {
            "form": form,
            "peer": peer,
            "kind": kind,
            "candidates": candidates,
            "preferred": preferred,
            "professions": [
                p for p in StaffMember.Profession.choices if p[0] != StaffMember.Profession.PEER
            ],
            "current": current.mentor if current else None,
        },
    )


@require_GET
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Leaders: their units' mentorships. Centre staff: all. Warnings on top, sortable."""
    actor = core_access.get_actor(request.user)
    core_access.require(actor.manages_units)
    mentorships = access.mentorships_for(request.user).filter(end_date__isnull=True)
    if not actor.sees_programme:
        mentorships = mentorships.filter(peer__staff_member__unit_id__in=actor.led_unit_ids)
    sort = request.GET.get("sort", "warning")
    today = timezone.localdate()
    # Ordered and cut in the database: the whole country's mentorships run to thousands.
    page = Paginator(selectors.overview_order(mentorships, sort, today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = presenters.overview_rows(selectors.health_rows_of(list(page.object_list), today))
    return render(
        request,
        "mentoring/overview.html",
        {
            "page": page,
            "rows": rows,
            "sort": sort,
            "warning_days": settings.MENTORING_WARNING_DAYS,
        },
    )


@require_GET
def mentorship_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mentorship = access.get_mentorship_for(request.user, pk)
    today = timezone.localdate()
    checkins = list(mentorship.checkins.select_related("logged_by__staff_member"))
    upcoming = [c for c in checkins if c.status == CheckIn.Status.PLANNED and c.date >= today]
    clashes = selectors.clash_notices(mentorship, upcoming)
    for checkin in upcoming:
        checkin.clashes_with = [  # type: ignore[attr-defined]
            t for n in clashes for t in n.titles.get(checkin.pk, [])
        ]
    party = access.is_party(request.user, mentorship)
    actor = core_access.get_actor(request.user)
    return render(
        request,
        "mentoring/mentorship_detail.html",
        {
            "m": mentorship,
            "health": selectors.health_of(mentorship, checkins, today),
            "upcoming": upcoming,
            "clashes": clashes,
            "past": [
                c for c in checkins if not (c.status == CheckIn.Status.PLANNED and c.date >= today)
            ][::-1],
            "party": party,
            "is_mentor": actor.staff is not None and actor.staff.pk == mentorship.mentor_id,
            "may_manage": access.may_manage(request.user, mentorship),
            "tasks": mentorship.tasks.all(),
            "today": today,
            "history": mentorship.peer.mentorships.exclude(pk=mentorship.pk).select_related(
                "mentor"
            ),
        },
    )


@require_POST
def checkin_quick(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One click: held, with the usual length."""
    checkin = access.get_checkin_for_logging(request.user, pk)
    error = ""
    try:
        services.checkin_log(
            checkin=checkin,
            by=request.user,
            outcome="held",
            expected_version=int_or_zero(request.POST.get("version")),
        )
    except ConcurrentEditError:
        error = _("The check-in was changed a moment ago; the list shows it as it is now.")
        checkin.refresh_from_db()
    except services.ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        return render(
            request,
            "mentoring/_checkin_row.html",
            {"c": checkin, "party": True, "today": timezone.localdate(), "error": error},
        )
    if error:
        messages.error(request, error)
    return redirect(checkin.mentorship)


@require_http_methods(["GET", "POST"])
def checkin_log(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    checkin = access.get_checkin_for_logging(request.user, pk)
    form = CheckInLogForm(
        request.POST or None,
        initial={"version": checkin.version, "note": checkin.note, "topics": checkin.topics},
    )
    return handle_form(
        request,
        form,
        lambda: services.checkin_log(checkin=checkin, by=request.user, **form.log_data()),
        success=_("The check-in was logged."),
        template="mentoring/checkin_form.html",
        context={"c": checkin},
        redirect_to=checkin.mentorship,
    )


@require_POST
def task_toggle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = access.get_task_for(request.user, pk)
    try:
        services.task_set_done(task=task, by=request.user, done=request.POST.get("done") == "1")
    except services.ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(task.mentorship)


@require_POST
def mentorship_continue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mentorship = access.get_mentorship_for(request.user, pk)
    core_access.require(access.may_manage(request.user, mentorship))
    try:
        services.mentorship_continue_monthly(mentorship=mentorship, by=request.user)
    except services.ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The mentorship continues with a monthly check-in."))
    return redirect(mentorship)


@require_POST
def mentorship_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mentorship = access.get_mentorship_for(request.user, pk)
    core_access.require(access.may_manage(request.user, mentorship) and mentorship.is_active)
    services.mentorship_end(
        mentorship=mentorship,
        by=request.user,
        end_date=max(timezone.localdate(), mentorship.start_date),
        reason=Mentorship.EndReason.PLANNED,
    )
    messages.success(request, _("The mentorship has ended. Its history is kept."))
    return redirect(mentorship)


@require_GET
def mentorship_ics(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mentorship = access.get_mentorship_for(request.user, pk)
    return ics_response(mentorship_calendar(mentorship), f"mentor-{mentorship.peer.name}")


@require_http_methods(["GET", "POST"])
def away(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A mentor's own days away; check-ins are planned around them."""
    mentor = core_access.required(core_access.get_actor(request.user).staff)
    form = AwayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = apply_service(
            form,
            lambda: services.away_add(mentor=mentor, by=request.user, **form.cleaned_data),
        )
        if saved:
            messages.success(request, _("Saved. Check-ins on those days were moved on a week."))
            return redirect("mentoring:away")
    return render(
        request,
        "mentoring/away.html",
        {
            "form": form,
            "periods": mentor.away_periods.filter(last_day__gte=timezone.localdate()),
        },
    )


@require_POST
def away_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    period = access.get_away_period_for(request.user, pk)
    services.away_remove(period=period, by=request.user)
    messages.success(request, _("The days away were removed."))
    return redirect("mentoring:away")
