"""Function description pages: the Centre's template, a peer worker's description and its
revisions, drafting, agreeing, the PDF for the team."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerprogram import access as core_access
from peerprogram.access import AuthenticatedHttpRequest
from peerprogram.models import PeerWorker
from peerprogram.pdf import pdf_response
from peerprogram.services import ConcurrentEditError
from peerprogram.views import PAGE_SIZE, apply_service, handle_form, int_or_zero

from . import access, selectors, services
from .forms import (
    ActionEditForm,
    ActionFormSet,
    DescriptionForm,
    OutsideTaskForm,
    PresentationForm,
    QuestionFormSet,
    RhythmForm,
    TalkChangeForm,
    TalkRecordForm,
    TemplateForm,
)
from .models import FollowUpRhythm, Presentation, StaffQuestion, Talk


@require_http_methods(["GET", "POST"])
def template_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The Centre's template every new function description starts from."""
    if not access.may_edit_template(request.user):
        raise Http404
    template = services.template_current()
    form = TemplateForm(request.POST or None, instance=template)
    return handle_form(
        request,
        form,
        lambda: services.template_update(
            template=template,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            changes=form.changes(),
        ),
        success=_("The template is saved. New function descriptions start from it."),
        template="employment/template_form.html",
        context={"template": template},
        redirect_to="employment:template_edit",
    )


@require_GET
def function_page(request: AuthenticatedHttpRequest, peer_pk: int) -> HttpResponse:
    """A peer worker's function description: the one in force, a draft, the earlier ones,
    and the recorded activity against the tasks described."""
    peer = core_access.get_peer_for(request.user, peer_pk)
    revisions = selectors.revisions_of(peer)
    shown = revisions.in_force or revisions.draft
    return render(
        request,
        "employment/function_page.html",
        {
            "peer": peer,
            "revisions": revisions,
            "shown": shown,
            "mix": selectors.activity_against(shown) if shown else None,
            "today": timezone.localdate(),
            "may_write": access.may_write(request.user, peer),
            "may_log": access.reaches_follow_up(request.user, peer),
            "agrees_as": access.agrees_as(request.user, revisions.draft) if revisions.draft else "",
        },
    )


@require_http_methods(["GET", "POST"])
def description_create(request: AuthenticatedHttpRequest, peer_pk: int) -> HttpResponse:
    peer = core_access.get_peer_for(request.user, peer_pk)
    if not access.may_write(request.user, peer):
        raise Http404
    revisions = selectors.revisions_of(peer)
    if revisions.draft:
        messages.info(request, _("There is a draft already: go on with that one."))
        return redirect("employment:description_edit", pk=revisions.draft.pk)
    form = DescriptionForm(
        request.POST or None, peer=peer, initial=services.draft_start_values(peer)
    )
    return handle_form(
        request,
        form,
        lambda: services.description_create(peer=peer, by=request.user, **form.changes()),
        success=_(
            "The draft is saved. Go through it with the peer worker; it is in force when "
            "both of you have agreed to it."
        ),
        template="employment/description_form.html",
        context={"peer": peer, "revising": revisions.in_force},
    )


@require_GET
def description_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    description = access.get_description_for(request.user, pk)
    return render(
        request,
        "employment/description_detail.html",
        {
            "description": description,
            "peer": description.peer,
            "may_write": access.may_write(request.user, description.peer),
            "agrees_as": access.agrees_as(request.user, description),
        },
    )


@require_http_methods(["GET", "POST"])
def description_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    description = access.get_draft_for_edit(request.user, pk)
    form = DescriptionForm(request.POST or None, peer=description.peer, instance=description)
    return handle_form(
        request,
        form,
        lambda: services.description_update(
            description=description,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            changes=form.changes(),
        ),
        success=_("The draft is saved."),
        template="employment/description_form.html",
        context={"peer": description.peer, "description": description},
    )


@require_POST
def description_agree(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The leader or the peer worker agrees to the draft as they read it."""
    description = access.get_description_for(request.user, pk)
    role = access.agrees_as(request.user, description)
    if not role:
        raise Http404
    try:
        services.description_agree(
            description=description,
            by=request.user,
            role=role,
            expected_version=int_or_zero(request.POST.get("version")),
        )
    except ConcurrentEditError:
        messages.error(
            request,
            _(
                "The draft was changed after you opened it, so your agreement was not "
                "recorded. Read it again and agree to the text as it stands now."
            ),
        )
        return redirect(description)
    if description.agreed:
        messages.success(
            request, _("Both have agreed: the function description is in force from today.")
        )
    else:
        messages.success(
            request,
            _("Your agreement is recorded. The description is in force when the other agrees."),
        )
    return redirect("employment:function_page", peer_pk=description.peer_id)


@require_POST
def description_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    description = access.get_draft_for_edit(request.user, pk)
    services.description_discard(description=description, by=request.user)
    messages.success(request, _("The draft is discarded."))
    return redirect("employment:function_page", peer_pk=description.peer_id)


@require_GET
def description_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    description = access.get_description_for(request.user, pk)
    return pdf_response(
        request,
        "employment/pdf/function_description.html",
        {"description": description, "peer": description.peer},
        f"funktionsbeskrivelse-{slugify(description.peer.name)}-{description.number}.pdf",
    )


# The leader's follow-up ------------------------------------------------------------------


@require_GET
def retention(request: AuthenticatedHttpRequest) -> HttpResponse:
    """How long peer workers stay and why they leave: a leader's units, or the programme."""
    actor = core_access.get_actor(request.user)
    core_access.require(actor.manages_units)
    figures = selectors.retention(
        core_access.peers_for(request.user).filter(
            staff_member__unit__in=core_access.units_for(request.user)
        )
    )
    page = Paginator(figures.units, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "employment/retention.html",
        {"figures": figures, "page": page, "rows": page.object_list},
    )


def _due_of(plan: selectors.FollowUp, kind: str) -> selectors.Due | None:
    """What is due next of a kind of talk (an exit talk has no rhythm: None)."""
    if kind == Talk.Kind.MUS:
        return plan.mus
    if kind == Talk.Kind.FOLLOW_UP:
        return plan.follow_up
    return None


def _kind(request: AuthenticatedHttpRequest) -> str:
    kind = request.GET.get("kind", Talk.Kind.FOLLOW_UP)
    return kind if kind in Talk.Kind.values else Talk.Kind.FOLLOW_UP


@require_GET
def follow_up(request: AuthenticatedHttpRequest, peer_pk: int) -> HttpResponse:
    """The talks between a peer worker and their leader: the next follow-up talk and MUS,
    the actions still open, the talks held. Only the two of them see it."""
    peer = access.get_peer_for_follow_up(request.user, peer_pk)
    return render(
        request,
        "employment/follow_up.html",
        {
            "peer": peer,
            "plan": selectors.follow_up_of(peer),
            "may_record": access.may_record(request.user, peer),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
def talk_record(request: AuthenticatedHttpRequest, peer_pk: int) -> HttpResponse:
    peer = access.get_peer_for_recording(request.user, peer_pk)
    kind = _kind(request)
    plan = selectors.follow_up_of(peer)
    due = _due_of(plan, kind)
    today = timezone.localdate()
    initial_day = min(due.date, today) if due else min(peer.end_date or today, today)
    form = TalkRecordForm(
        request.POST or None,
        peer=peer,
        kind=kind,
        open_actions=plan.open_actions,
        initial={"date": initial_day},
    )
    actions = ActionFormSet(request.POST or None, prefix="actions")
    if request.method == "POST" and form.is_valid() & actions.is_valid():
        data = form.cleaned_data
        talk = apply_service(
            form,
            lambda: services.talk_record(
                peer=peer,
                by=request.user,
                kind=kind,
                date=data["date"],
                how_it_goes=data["how_it_goes"],
                workload=data["workload"],
                wellbeing=data["wellbeing"],
                development=data.get("development", ""),
                actions=[
                    (a["text"], a["responsible"], a["due"])
                    for a in actions.cleaned_data
                    if a.get("text")
                ],
                done_actions=data.get("done_actions", []),
            ),
        )
        if talk:
            messages.success(request, _("The talk is recorded. The peer worker can read it."))
            return redirect("employment:follow_up", peer_pk=peer.pk)
    return render(
        request,
        "employment/talk_form.html",
        {"form": form, "actions": actions, "peer": peer, "kind": kind, "due": due, "plan": plan},
    )


@require_http_methods(["GET", "POST"])
def talk_change(request: AuthenticatedHttpRequest, peer_pk: int) -> HttpResponse:
    """Move the next talk of a kind to another day, or cancel it, with the reason."""
    peer = access.get_peer_for_recording(request.user, peer_pk)
    kind = _kind(request)
    plan = selectors.follow_up_of(peer)
    due = _due_of(plan, kind)
    if due is None:
        raise Http404
    initial = {
        "date": due.date,
        "time": due.time,
        "reason": due.planned.reason if due.planned else "",
    }
    form = TalkChangeForm(request.POST or None, due=due, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["outcome"] == "moved":
            done = apply_service(
                form,
                lambda: services.talk_move(
                    peer=peer,
                    by=request.user,
                    due=due,
                    date=data["date"],
                    time=data["time"],
                    reason=data["reason"],
                ),
            )
            success = _("The talk is planned.")
        else:
            done = apply_service(
                form,
                lambda: services.talk_cancel(
                    peer=peer, by=request.user, kind=kind, date=due.date, reason=data["reason"]
                ),
            )
            success = _("The talk is cancelled. The next one is planned from its day.")
        if done:
            messages.success(request, success)
            return redirect("employment:follow_up", peer_pk=peer.pk)
    return render(
        request,
        "employment/talk_change.html",
        {"form": form, "peer": peer, "kind": kind, "due": due},
    )


@require_GET
def talk_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    talk = access.get_talk_for(request.user, pk)
    return render(
        request,
        "employment/talk_detail.html",
        {"talk": talk, "peer": talk.peer, "actions": list(talk.actions.all())},
    )


@require_POST
def action_toggle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = access.get_action_for(request.user, pk)
    services.action_toggle(action=action, by=request.user)
    return redirect("employment:follow_up", peer_pk=action.talk.peer_id)


@require_http_methods(["GET", "POST"])
def action_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The leader changes an agreed action: its text, who is responsible, by when."""
    action = access.get_action_for(request.user, pk, editing=True)
    form = ActionEditForm(request.POST or None, instance=action)
    if request.method == "POST" and form.is_valid():
        fields = form.changed_data
        if apply_service(
            form, lambda: services.action_save(action=form.instance, by=request.user, fields=fields)
        ):
            messages.success(request, _("The action is changed."))
            return redirect("employment:follow_up", peer_pk=action.talk.peer_id)
    return render(
        request,
        "employment/action_form.html",
        {"form": form, "action": action, "peer": action.talk.peer},
    )


@require_http_methods(["GET", "POST"])
def outside_tasks(request: AuthenticatedHttpRequest, peer_pk: int) -> HttpResponse:
    """The weekly log of tasks outside the function description ("other tasks this
    week"): the peer worker or the leader writes it; the drift signal reads it."""
    peer = access.get_peer_for_follow_up(request.user, peer_pk)
    form = OutsideTaskForm(request.POST or None, peer=peer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        logged = apply_service(
            form,
            lambda: services.outside_task_log(
                peer=peer,
                by=request.user,
                week=data["week"],
                kind=data["kind"],
                hours=data["hours"],
                note=data["note"],
            ),
        )
        if logged:
            messages.success(request, _("The hours are logged."))
            return redirect("employment:outside_tasks", peer_pk=peer.pk)
    weeks = selectors.outside_weeks(peer)
    revisions = selectors.revisions_of(peer)
    logged_hours = sum(total for _w, _t, total in weeks)
    return render(
        request,
        "employment/outside_tasks.html",
        {
            "peer": peer,
            "form": form,
            "weeks": weeks,
            "in_force": revisions.in_force,
            "share": round(100 * logged_hours / (peer.hours_per_week * len(weeks)))
            if weeks and peer.hours_per_week
            else None,
            "limit": 25,
        },
    )


@require_POST
def outside_task_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = access.get_outside_task_for(request.user, pk)
    services.outside_task_delete(task=task, by=request.user)
    messages.success(request, _("The entry is removed."))
    return redirect("employment:outside_tasks", peer_pk=task.peer_id)


@require_http_methods(["GET", "POST"])
def rhythm_edit(request: AuthenticatedHttpRequest, peer_pk: int) -> HttpResponse:
    peer = access.get_peer_for_recording(request.user, peer_pk)
    current = FollowUpRhythm.objects.filter(peer=peer).first()
    initial = {
        "probation_days": settings.FOLLOW_UP_PROBATION_DAYS,
        "after_months": settings.FOLLOW_UP_AFTER_MONTHS,
    }
    form = RhythmForm(request.POST or None, instance=current, initial=initial)
    return handle_form(
        request,
        form,
        lambda: services.rhythm_set(peer=peer, by=request.user, **form.cleaned_data),
        success=_("The rhythm is saved. The next talk is planned by it."),
        template="employment/rhythm_form.html",
        context={"peer": peer},
        redirect_to=reverse("employment:follow_up", args=[peer.pk]),
    )


# Preparing the workplace and making the peer worker visible ------------------------------


@require_GET
def questions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The staff group's questions before a peer worker starts, with answers: for a staff
    meeting."""
    core_access.require(core_access.get_actor(request.user).manages_units)
    return render(
        request,
        "employment/questions.html",
        {
            "questions": StaffQuestion.objects.all(),
            "may_edit": access.may_edit_template(request.user),
        },
    )


@require_GET
def questions_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    core_access.require(core_access.get_actor(request.user).manages_units)
    return pdf_response(
        request,
        "employment/pdf/questions.html",
        {"questions": StaffQuestion.objects.all()},
        "spoergsmaal-foer-peermedarbejderen-starter.pdf",
    )


@require_http_methods(["GET", "POST"])
def questions_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.may_edit_template(request.user):
        raise Http404
    formset = QuestionFormSet(request.POST or None, queryset=StaffQuestion.objects.all())
    if request.method == "POST" and formset.is_valid():
        try:
            services.questions_save(edits=formset.edits(), by=request.user)
        except ConcurrentEditError as exc:
            # Nothing typed is lost: the formset is shown again as it was posted.
            formset.add_error(str(exc.message))
        else:
            messages.success(request, _("The questions are saved."))
            return redirect("employment:questions")
    return render(request, "employment/questions_edit.html", {"formset": formset})


@require_http_methods(["GET", "POST"])
def presentation_edit(request: AuthenticatedHttpRequest, peer_pk: int) -> HttpResponse:
    """The peer worker writes and approves their own presentation for the leaflet."""
    peer = access.get_peer_for_presentation(request.user, peer_pk)
    current = Presentation.objects.filter(peer=peer).first()
    initial = (
        {
            "text": current.text,
            "approve": current.approved_on is not None,
            "version": current.version,
        }
        if current
        else {}
    )
    form = PresentationForm(request.POST or None, initial=initial)
    return handle_form(
        request,
        form,
        lambda: services.presentation_save(
            peer=peer,
            by=request.user,
            text=form.cleaned_data["text"],
            approve=form.cleaned_data["approve"],
            expected_version=form.cleaned_data["version"],
        ),
        success=_("Your presentation is saved."),
        template="employment/presentation_form.html",
        context={"peer": peer, "presentation": current},
        redirect_to=reverse("employment:leaflet", args=[peer.pk]),
    )


def _leaflet_context(peer: PeerWorker) -> dict[str, Any]:
    presentation = Presentation.objects.filter(peer=peer).first()
    return {
        "peer": peer,
        "presentation": presentation,
        "ready": presentation is not None and presentation.approved_on is not None,
        "function": selectors.revisions_of(peer).in_force,
    }


@require_GET
def leaflet(request: AuthenticatedHttpRequest, peer_pk: int) -> HttpResponse:
    """ "Mød din peermedarbejder": the peer worker's own presentation, the unit and how to
    get in touch (from the referral agreement), as a leaflet or poster (A5 or A4)."""
    peer = access.get_peer_for_leaflet(request.user, peer_pk)
    actor = core_access.get_actor(request.user)
    return render(
        request,
        "employment/leaflet.html",
        {**_leaflet_context(peer), "is_self": actor.peer is not None and actor.peer.pk == peer.pk},
    )


@require_POST
def leaflet_make(request: AuthenticatedHttpRequest, peer_pk: int) -> HttpResponse:
    """Make the leaflet: recorded (the checklist's task to inform the patients), then the
    PDF."""
    peer = access.get_peer_for_leaflet(request.user, peer_pk)
    context = _leaflet_context(peer)
    if not context["ready"]:
        messages.error(request, _("The peer worker has not approved a presentation yet."))
        return redirect("employment:leaflet", peer_pk=peer.pk)
    services.leaflet_made(presentation=context["presentation"], by=request.user)
    size = "a4" if request.POST.get("size") == "a4" else "a5"
    return redirect(f"{reverse('employment:leaflet_pdf', args=[peer.pk])}?size={size}")


@require_GET
def leaflet_pdf(request: AuthenticatedHttpRequest, peer_pk: int) -> HttpResponse:
    peer = access.get_peer_for_leaflet(request.user, peer_pk)
    context = _leaflet_context(peer)
    if not context["ready"]:
        raise Http404
    size = "a4" if request.GET.get("size") == "a4" else "a5"
    return pdf_response(
        request,
        "employment/pdf/leaflet.html",
        {**context, "size": size},
        f"moed-din-peermedarbejder-{slugify(peer.name)}-{size}.pdf",
    )
