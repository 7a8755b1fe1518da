"""Recruitment and onboarding pages: vacancies, committee, applicants, checklist, PDFs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from education import selectors as education_selectors
from employment import access as employment_access
from employment import selectors as employment_selectors
from employment.models import FunctionDescription
from mentoring import selectors as mentoring_selectors
from peerprogram import access as core_access
from peerprogram import selectors as core_selectors
from peerprogram.access import AuthenticatedHttpRequest
from peerprogram.filters import query_id
from peerprogram.forms import choice_field
from peerprogram.models import PeerWorker, Unit, employment_form_warning, hours_warning
from peerprogram.pdf import pdf_response
from peerprogram.presenters import unit_options
from peerprogram.views import apply_service, handle_form, import_page, int_or_zero

from . import access, presenters, selectors, services
from .forms import (
    ApplicantForm,
    AssessmentForm,
    ChecklistItemAddForm,
    ChecklistItemForm,
    ChecklistTemplateItemForm,
    CommitteeMemberForm,
    DecisionForm,
    HireForm,
    InterviewForm,
    MoveForm,
    PostingForm,
    PostingTemplateForm,
    QuestionnaireForm,
    ReferenceForm,
    StatusForm,
    VacancyForm,
)
from .models import ChecklistTemplateItem, CommitteeMember, PostingTemplate, Vacancy
from .resources import ApplicantResource
from .summary import retention_pages as summary_retention_pages
from .summary import share_text, summary_pages

# Vacancies -----------------------------------------------------------------------


@require_GET
def vacancy_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    vacancies = selectors.vacancy_list(access.vacancies_for(request.user))
    status = request.GET.get("status", "open")
    if status == "open":
        vacancies = vacancies.filter(status__in=[Vacancy.Status.DRAFT, Vacancy.Status.PUBLISHED])
    elif status in Vacancy.Status.values:
        vacancies = vacancies.filter(status=status)
    page = core_selectors.paginate(vacancies, request.GET.get("page"), per_page=50)
    return render(
        request,
        "recruitment/vacancy_list.html",
        {
            "page": page,
            "rows": presenters.vacancy_rows(
                page.object_list,
                selectors.applicant_counts([v["pk"] for v in page.object_list]),
            ),
            "status": status,
            "statuses": Vacancy.Status.choices,
            "may_create": core_access.get_actor(request.user).manages_units,
        },
    )


@require_http_methods(["GET", "POST"])
def vacancy_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    core_access.require(core_access.get_actor(request.user).manages_units)
    units = core_access.editable_units_for(request.user)
    initial: dict[str, Any] = {}
    only = list(units[:2])
    if len(only) == 1:
        initial = {"unit": only[0], "contact_person": only[0].leader}
    # ?function=<pk>: the vacancy starts from a function description (define the task
    # before recruiting): its unit, hours and employment form, and its tasks in the posting.
    start_from = _function_to_start_from(request, units)
    tasks_text = ""
    if start_from is not None:
        peer = start_from.peer
        initial = {
            "unit": peer.staff_member.unit,
            "contact_person": peer.staff_member.unit.leader,
            "hours_per_week": peer.hours_per_week,
            "employment_form": peer.employment_form,
        }
        tasks_text = employment_selectors.posting_tasks(start_from)
    form = VacancyForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        vacancy = apply_service(
            form,
            lambda: services.vacancy_create(
                by=request.user, tasks_text=tasks_text, **form.changes()
            ),
        )
        if vacancy:
            messages.success(
                request,
                _("The vacancy was created with a posting drafted from the Centre's template."),
            )
            for warning in (
                hours_warning(vacancy.hours_per_week),
                employment_form_warning(vacancy.employment_form),
            ):
                if warning:
                    messages.warning(request, warning)
            return redirect(vacancy)
    return render(
        request,
        "recruitment/vacancy_form.html",
        {"form": form, "vacancy": None, "start_from": start_from},
    )


def _function_to_start_from(
    request: AuthenticatedHttpRequest, units: QuerySet[Unit]
) -> FunctionDescription | None:
    """The function description named by ?function=, if the user reaches it and may open a
    vacancy in its unit."""
    chosen = query_id(request.GET.get("function"))
    if chosen is None:
        return None
    description = employment_access.descriptions_for(request.user).filter(pk=chosen).first()
    if description is None or not units.filter(pk=description.peer.staff_member.unit_id).exists():
        return None
    return description


@require_GET
def vacancy_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    vacancy = access.get_vacancy_for(request.user, pk)
    may_manage = access.may_manage_vacancy(request.user, vacancy)
    # The committee is the leader's to put together (Centre staff are invited onto it).
    may_hire = access.may_hire(request.user, vacancy)
    seat_order = [str(seat) for seat in CommitteeMember.Seat]
    committee = sorted(
        vacancy.committee.select_related("staff_member__unit"),
        key=lambda m: (seat_order.index(m.seat), m.staff_member.name),
    )
    return render(
        request,
        "recruitment/vacancy_detail.html",
        {
            "vacancy": vacancy,
            "may_manage": may_manage,
            "may_see_applicants": access.may_see_applicants(request.user, vacancy),
            "committee": committee,
            "empty_seats": selectors.empty_seats(vacancy),
            "committee_form": CommitteeMemberForm(vacancy=vacancy) if may_hire else None,
            "may_hire": may_hire,
            # Forward first, cancelling last.
            "transitions": [
                (s.value, s.label)
                for s in (Vacancy.Status.PUBLISHED, Vacancy.Status.CLOSED, Vacancy.Status.CANCELLED)
                if s in services.TRANSITIONS[vacancy.status]
            ],
            "onboarding": getattr(vacancy, "onboarding", None),
        },
    )


@require_http_methods(["GET", "POST"])
def vacancy_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    vacancy = access.get_vacancy_for_edit(request.user, pk)
    form = VacancyForm(
        request.POST or None, instance=vacancy, units=core_access.editable_units_for(request.user)
    )
    return handle_form(
        request,
        form,
        lambda: services.vacancy_update(
            vacancy=vacancy,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        ),
        success=_("The changes were saved."),
        template="recruitment/vacancy_form.html",
        context={"vacancy": vacancy},
    )


@require_http_methods(["GET", "POST"])
def vacancy_posting(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    vacancy = access.get_vacancy_for_edit(request.user, pk)
    data: Mapping[str, Any] | None = request.POST or None
    if request.method == "POST" and "rebuild" in request.POST:
        text = services.posting_render(
            template=services.current_posting_template(), vacancy=vacancy
        )
        data = {"posting_text": text, "version": request.POST.get("version")}
        form = PostingForm(data, instance=vacancy)
        form.is_valid()
        messages.info(request, _("The text was rebuilt from the template. Save to keep it."))
        return render(
            request, "recruitment/vacancy_posting.html", {"form": form, "vacancy": vacancy}
        )
    form = PostingForm(data, instance=vacancy)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        saved = apply_service(
            form,
            lambda: services.vacancy_update(
                vacancy=vacancy, by=request.user, expected_version=version, **form.changes()
            ),
        )
        if saved:
            messages.success(request, _("The posting was saved."))
            return redirect(saved)
    return render(request, "recruitment/vacancy_posting.html", {"form": form, "vacancy": vacancy})


@require_GET
def vacancy_posting_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    vacancy = access.get_vacancy_for(request.user, pk)
    return pdf_response(
        request,
        "recruitment/pdf/posting.html",
        {"vacancy": vacancy},
        f"stillingsopslag-{slugify(vacancy.unit.name)}.pdf",
    )


@require_POST
def vacancy_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    vacancy = access.get_vacancy_for_edit(request.user, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.vacancy_set_status(
                vacancy=vacancy, by=request.user, status=form.cleaned_data["status"]
            )
        except services.ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The status was changed."))
    return redirect(vacancy)


@require_POST
def committee_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    vacancy = access.get_vacancy_for_hiring(request.user, pk)
    form = CommitteeMemberForm(request.POST, vacancy=vacancy)
    if form.is_valid():
        member = apply_service(
            form,
            lambda: services.committee_add(vacancy=vacancy, by=request.user, **form.cleaned_data),
        )
        if member:
            messages.success(
                request, _("%(name)s joined the hiring committee.") % {"name": member.staff_member}
            )
            return redirect(vacancy)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    return redirect(vacancy)


@require_POST
def committee_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(CommitteeMember, pk=pk)
    vacancy = access.get_vacancy_for_hiring(request.user, member.vacancy_id)
    try:
        services.committee_remove(member=member, by=request.user)
    except services.ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The committee member was removed."))
    return redirect(vacancy)


# Applicants ----------------------------------------------------------------------


@require_GET
def applicant_board(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    vacancy = access.get_vacancy_with_applicants_for(request.user, pk)
    actor = core_access.get_actor(request.user)
    return render(
        request,
        "recruitment/applicant_board.html",
        {
            "vacancy": vacancy,
            "columns": selectors.board(vacancy),
            "may_decide": actor.is_admin or vacancy.unit_id in actor.led_unit_ids,
            "move_choices": choice_field(MoveForm(), "to_stage").choices,
        },
    )


@require_http_methods(["GET", "POST"])
def applicant_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    vacancy = access.get_vacancy_for_hiring(request.user, pk)
    form = ApplicantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        applicant = apply_service(
            form,
            lambda: services.applicant_add(vacancy=vacancy, by=request.user, **form.changes()),
        )
        if applicant:
            messages.success(request, _("%(name)s was added.") % {"name": applicant.name})
            return redirect(applicant)
    return render(
        request,
        "recruitment/applicant_form.html",
        {"form": form, "vacancy": vacancy, "applicant": None},
    )


@require_http_methods(["GET", "POST"])
def applicant_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    vacancy = access.get_vacancy_for_hiring(request.user, pk)
    if not vacancy.takes_applicants:
        messages.error(request, _("The vacancy takes no new applicants."))
        return redirect("recruitment:applicant_board", pk=vacancy.pk)
    return import_page(
        request,
        resource_factory=lambda: ApplicantResource(vacancy=vacancy),
        import_key=f"import:applicants:{vacancy.pk}",
        label="applicants",
        title=_("Import applicants: %(title)s") % {"title": vacancy.title},
        help_text=_(
            "“name” is required. “email” finds an applicant again when the file is imported "
            "twice. “received_on” is a date like 31.12.2026. The questionnaire columns "
            "“motivation”, “recovery”, “robustness” and “readiness” are optional."
        ),
        done_url=reverse("recruitment:applicant_board", args=[vacancy.pk]),
    )


@require_GET
def applicant_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    applicant = access.get_applicant_for(request.user, pk)
    actor = core_access.get_actor(request.user)
    may_decide = actor.is_admin or applicant.vacancy.unit_id in actor.led_unit_ids
    seat = access.own_committee_seat(request.user, applicant.vacancy)
    interviews = applicant.interviews.prefetch_related(
        "present__staff_member", "assessments__member__staff_member"
    )
    return render(
        request,
        "recruitment/applicant_detail.html",
        {
            "applicant": applicant,
            "vacancy": applicant.vacancy,
            "may_decide": may_decide,
            "seat": seat,
            "interviews": interviews,
            "references": applicant.references.select_related("checked_by__staff_member"),
            "history": applicant.stage_changes.select_related("by__staff_member"),
            "questionnaire": QuestionnaireForm(instance=applicant),
            "decision": DecisionForm(instance=applicant),
            "move": MoveForm(initial={"to_stage": applicant.stage}),
        },
    )


@require_http_methods(["GET", "POST"])
def applicant_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    applicant = access.get_applicant_for_decision(request.user, pk)
    form = ApplicantForm(request.POST or None, instance=applicant)
    return handle_form(
        request,
        form,
        lambda: services.applicant_update(
            applicant=applicant,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        ),
        success=_("The changes were saved."),
        template="recruitment/applicant_form.html",
        context={"vacancy": applicant.vacancy, "applicant": applicant},
    )


def _applicant_form_post(
    request: AuthenticatedHttpRequest,
    pk: int,
    form_class: type[QuestionnaireForm | DecisionForm],
    title: str,
) -> HttpResponse:
    """The questionnaire and the decision are posted from the applicant's page; on an
    error their form is shown alone, with what was typed."""
    applicant = access.get_applicant_for_decision(request.user, pk)
    form = form_class(request.POST, instance=applicant)
    return handle_form(
        request,
        form,
        lambda: services.applicant_update(
            applicant=applicant,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        ),
        success=_("The changes were saved."),
        template="recruitment/applicant_section_form.html",
        context={"applicant": applicant, "title": title},
    )


@require_POST
def applicant_questionnaire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _applicant_form_post(request, pk, QuestionnaireForm, _("Applicant questionnaire"))


@require_POST
def applicant_decision(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _applicant_form_post(request, pk, DecisionForm, _("Decision"))


@require_POST
def applicant_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    applicant = access.get_applicant_for_decision(request.user, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            services.applicant_move(applicant=applicant, by=request.user, **form.cleaned_data)
        except services.ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The step was changed."))
    back = request.POST.get("back")
    if back == "board":
        return redirect("recruitment:applicant_board", pk=applicant.vacancy_id)
    return redirect(applicant)


@require_http_methods(["GET", "POST"])
def interview_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    applicant = access.get_applicant_for_decision(request.user, pk)
    form = InterviewForm(request.POST or None, vacancy=applicant.vacancy, applicant=applicant)
    return handle_form(
        request,
        form,
        lambda: services.interview_schedule(
            applicant=applicant, by=request.user, **form.cleaned_data
        ),
        success=_("The interview was scheduled."),
        template="recruitment/interview_form.html",
        context={"applicant": applicant},
        redirect_to=applicant,
    )


@require_http_methods(["GET", "POST"])
def assessment_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    interview = access.get_interview_for(request.user, pk)
    applicant = interview.applicant
    seat = core_access.required(access.own_committee_seat(request.user, applicant.vacancy))
    existing = interview.assessments.filter(member=seat).first()
    form = AssessmentForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        saved = apply_service(
            form,
            lambda: services.assessment_record(
                interview=interview, member=seat, by=request.user, **form.cleaned_data
            ),
        )
        if saved:
            messages.success(request, _("Your assessment was saved."))
            return redirect(applicant)
    return render(
        request,
        "recruitment/assessment_form.html",
        {"form": form, "applicant": applicant, "interview": interview},
    )


@require_http_methods(["GET", "POST"])
def reference_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    applicant = access.get_applicant_for_decision(request.user, pk)
    form = ReferenceForm(request.POST or None)
    return handle_form(
        request,
        form,
        lambda: services.reference_add(applicant=applicant, by=request.user, **form.cleaned_data),
        success=_("The reference was recorded."),
        template="recruitment/reference_form.html",
        context={"applicant": applicant},
        redirect_to=applicant,
    )


@require_http_methods(["GET", "POST"])
def applicant_hire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    applicant = access.get_applicant_for_decision(request.user, pk)
    vacancy = applicant.vacancy
    form = HireForm(
        request.POST or None,
        initial={
            "start_date": vacancy.planned_start_date,
            "hours_per_week": vacancy.hours_per_week,
            "employment_form": vacancy.employment_form,
        },
    )
    if request.method == "POST" and form.is_valid():
        peer = apply_service(
            form,
            lambda: services.applicant_hire(
                applicant=applicant, by=request.user, **form.cleaned_data
            ),
        )
        if peer:
            messages.success(
                request,
                _("%(name)s is hired as peer worker. The checklist now follows them.")
                % {"name": peer.name},
            )
            return redirect("recruitment:checklist", pk=peer.onboarding.pk)
    others = vacancy.applicants.exclude(pk=applicant.pk).exclude(
        stage__in=["hired", "rejected", "withdrawn"]
    )
    return render(
        request,
        "recruitment/applicant_hire.html",
        {"form": form, "applicant": applicant, "others": others},
    )


# The checklist -------------------------------------------------------------------


@require_GET
def checklist_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    actor = core_access.get_actor(request.user)
    core_access.require(actor.manages_units)
    onboardings = selectors.without_cancelled(access.onboardings_for(request.user))
    unit = query_id(request.GET.get("unit"))
    if unit is not None:
        onboardings = onboardings.filter(unit_id=unit)
    listed = selectors.for_lists(onboardings).order_by(*selectors.LIST_ORDER)
    page = Paginator(listed, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "recruitment/checklist_overview.html",
        {
            "page": page,
            "rows": presenters.overview_rows(selectors.onboarding_progress(page.object_list)),
            # The unit filter's choices (600 for the whole programme of a nation).
            "unit_options": unit_options(
                core_access.units_for(request.user)
                .select_related(None)
                .order_by("name")
                .values_list("pk", "name"),
                unit,
            ),
            "unit": unit,
        },
    )


@require_GET
def checklist(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    onboarding = access.get_onboarding_for(request.user, pk)
    progress = selectors.onboarding_detail(onboarding)
    return render(
        request,
        "recruitment/checklist.html",
        {
            "onboarding": onboarding,
            "progress": progress,
            "phases": [
                (phase, presenters.checklist_rows(statuses, onboarding))
                for phase, statuses in progress.by_phase()
            ],
        },
    )


@require_POST
def checklist_item_toggle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # The checklist's own people, or the person the task is delegated to.
    item, delegated = access.get_checklist_item_for_ticking(request.user, pk)
    error = ""
    try:
        services.checklist_item_set_done(
            item=item,
            by=request.user,
            done=request.POST.get("done") == "1",
            expected_version=int_or_zero(request.POST.get("version")),
        )
    except services.core.ConcurrentEditError:
        error = _("Someone else changed this task a moment ago. The list shows it as it is now.")
    except services.ValidationError as exc:
        error = " ".join(exc.messages)
    if delegated:
        if error:
            messages.error(request, error)
        return redirect("recruitment:delegated_tasks")
    if request.htmx:
        progress = selectors.onboarding_detail(item.onboarding)
        status = next(s for s in progress.statuses if s.item.pk == item.pk)
        return render(
            request,
            "recruitment/checklist_item_toggle.html",
            {
                "rows": presenters.checklist_rows([status], progress.onboarding),
                "error": error,
                "progress": progress,
            },
        )
    if error:
        messages.error(request, error)
    return redirect("recruitment:checklist", pk=item.onboarding_id)


@require_http_methods(["GET", "POST"])
def checklist_item_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = access.get_checklist_item_for(request.user, pk)
    form = ChecklistItemForm(
        request.POST or None,
        instance=item,
        assignees=selectors.assignee_choices(item.onboarding),
    )
    return handle_form(
        request,
        form,
        lambda: services.checklist_item_update(
            item=item,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        ),
        success=_("The task was saved."),
        template="recruitment/checklist_item_form.html",
        context={"item": item},
        redirect_to=item.onboarding,
    )


@require_GET
def delegated_tasks(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The checklist tasks a leader has handed to this person (a mentor, a peer worker, a
    colleague), to tick here."""
    staff = core_access.required(core_access.get_actor(request.user).staff)
    return render(
        request,
        "recruitment/delegated_tasks.html",
        {"rows": selectors.delegated_to(staff), "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
def checklist_item_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    onboarding = access.get_onboarding_for(request.user, pk)
    form = ChecklistItemAddForm(request.POST or None)
    return handle_form(
        request,
        form,
        lambda: services.checklist_item_add(
            onboarding=onboarding, by=request.user, **form.cleaned_data
        ),
        success=_("The task was added to this checklist."),
        template="recruitment/checklist_item_add.html",
        context={"onboarding": onboarding},
        redirect_to=onboarding,
    )


@require_POST
def checklist_start(request: AuthenticatedHttpRequest, peer_pk: int) -> HttpResponse:
    peer = core_access.get_peer_for_edit(request.user, peer_pk)
    onboarding = services.onboarding_start_for_peer(peer=peer, by=request.user)
    return redirect("recruitment:checklist", pk=onboarding.pk)


@require_GET
def onboarding_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    onboarding = access.get_onboarding_for(request.user, pk)
    mentor = mentoring = education = None
    if peer := onboarding.peer:
        mentoring = mentoring_selectors.health_by_peer([peer.pk]).get(peer.pk)
        mentor = mentoring.mentorship.mentor if mentoring else None
        education = _education_summary(peer)
    progress = selectors.onboarding_detail(onboarding)
    return pdf_response(
        request,
        "recruitment/pdf/onboarding.html",
        {
            "onboarding": onboarding,
            "progress": progress,
            "mentor": mentor,
            "mentoring": mentoring,
            "education": education,
        },
        f"opstart-{slugify(onboarding.label)}.pdf",
    )


def _education_summary(peer: PeerWorker) -> education_selectors.Summary:
    """education_summary(peer), reading the waiting list only when the peer has no seat:
    the PDF shows it only then."""
    participation = education_selectors.education_by_peer([peer.pk]).get(peer.pk)
    return education_selectors.Summary(
        participation=participation,
        waiting=None
        if participation
        else education_selectors.waiting_by_peer([peer.pk]).get(peer.pk),
        courses=education_selectors.course_rows(peer),
        deadline=education_selectors.education_deadline(peer),
    )


@require_GET
def onboarding_summary_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    actor = core_access.get_actor(request.user)
    core_access.require(actor.manages_units)
    onboardings = access.onboardings_for(request.user)
    unit = None
    unit_id = query_id(request.GET.get("unit"))
    if unit_id is not None:
        unit = core_access.get_unit_for(request.user, unit_id)
        onboardings = onboardings.filter(unit=unit)
    else:
        core_access.require(actor.sees_programme)
    listed = selectors.for_lists(onboardings).order_by(*selectors.LIST_ORDER)
    rows = selectors.onboarding_progress(listed)
    heading, pages = summary_pages(rows, with_unit=unit is None)
    name = slugify(unit.name) if unit else "programmet"
    # Retention of the same units, in Danish like the rest of the document.
    peers = core_access.peers_for(request.user)
    with translation.override("da"):
        retention = employment_selectors.retention(
            peers.filter(staff_member__unit=unit) if unit else peers
        )
    retention_heading, retention_pages = summary_retention_pages(retention.units)
    return pdf_response(
        request,
        "recruitment/pdf/summary.html",
        {
            "rows": rows,
            "overdue": sum(1 for p in rows if p.overdue),
            "heading": heading,
            "pages": pages,
            "unit": unit,
            "today": timezone.localdate(),
            "retention": retention,
            "after_one": share_text(retention.total.after_one),
            "after_two": share_text(retention.total.after_two),
            "retention_heading": retention_heading,
            "retention_pages": retention_pages if unit is None else [],
        },
        f"opstart-oversigt-{name}.pdf",
    )


# Centre templates ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def posting_template_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    core_access.require(access.may_edit_templates(request.user))
    template = PostingTemplate.objects.filter(active=True).order_by("-updated_at").first()
    form = PostingTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        saved = apply_service(
            form,
            lambda: services.posting_template_save(
                template=template, by=request.user, expected_version=version, **form.changes()
            ),
        )
        if saved:
            messages.success(request, _("The posting template was saved."))
            return redirect("recruitment:posting_template_edit")
    return render(request, "recruitment/posting_template_form.html", {"form": form})


@require_GET
def checklist_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    core_access.require(access.may_edit_templates(request.user))
    return render(
        request,
        "recruitment/checklist_template.html",
        {"items": ChecklistTemplateItem.objects.all()},
    )


@require_http_methods(["GET", "POST"])
def checklist_template_item(
    request: AuthenticatedHttpRequest, pk: int | None = None
) -> HttpResponse:
    core_access.require(access.may_edit_templates(request.user))
    item = get_object_or_404(ChecklistTemplateItem, pk=pk) if pk else None
    form = ChecklistTemplateItemForm(request.POST or None, instance=item)
    return handle_form(
        request,
        form,
        lambda: services.checklist_template_item_save(
            item=item,
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
            **form.changes(),
        ),
        success=_("Saved. New checklists use it; existing checklists keep their copy."),
        template="recruitment/checklist_template_item.html",
        context={"item": item},
        redirect_to=reverse("recruitment:checklist_template"),
    )
