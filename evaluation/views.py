"""The implementation survey: the Centre writes questionnaires and runs rounds; the people
asked answer through their personal link; the Centre and the units' leaders read the
results (groups of at least five answers, after the round has closed)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerprogram import access as core_access
from peerprogram.access import AuthenticatedHttpRequest
from peerprogram.filters import query_id
from peerprogram.pdf import pdf_response
from peerprogram.views import apply_service, spreadsheet_response

from . import access, exports, presenters, selectors, services
from .forms import AnswerForm, QuestionFormSet, QuestionnaireForm, RoundForm
from .models import MIN_ANSWERS, Group, Question, Questionnaire, SurveyRound


@require_GET
def survey_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The Centre's questionnaires and rounds; a leader's closed rounds of their units."""
    actor = core_access.get_actor(request.user)
    core_access.require(actor.manages_units)
    today = timezone.localdate()
    rounds = SurveyRound.objects.select_related("questionnaire").annotate(
        invited=Count("invitations"),
        answered=Count("invitations", filter=Q(invitations__answered=True)),
    )
    if not actor.sees_programme:
        rounds = rounds.filter(units__in=actor.led_unit_ids, closes_on__lt=today).distinct()
    rounds = list(rounds)
    if not actor.sees_programme:
        led = selectors.led_units_of_rounds(rounds, actor.led_unit_ids)
        for survey in rounds:
            survey.led_units = led.get(survey.pk, [])  # type: ignore[attr-defined]
    return render(
        request,
        "evaluation/survey_list.html",
        {
            "rounds": rounds,
            "today": today,
            "questionnaires": (
                Questionnaire.objects.annotate(n=Count("questions")) if actor.sees_programme else []
            ),
            "centre": actor.sees_programme,
        },
    )


@require_GET
def questionnaire_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for(request.user, pk)
    today = timezone.localdate()
    return render(
        request,
        "evaluation/questionnaire_detail.html",
        {
            "questionnaire": questionnaire,
            "questions": questionnaire.questions.all(),
            "rounds": questionnaire.rounds.all(),
            "in_use": questionnaire.rounds.filter(opens_on__lte=today).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def questionnaire_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """A new questionnaire, or one changed with its questions (until a round opens)."""
    access.require_centre(request.user)
    questionnaire = access.get_questionnaire_for(request.user, pk) if pk else None
    form = QuestionnaireForm(request.POST or None, instance=questionnaire)
    questions = questionnaire.questions.all() if questionnaire else Question.objects.none()
    formset = QuestionFormSet(request.POST or None, queryset=questions, prefix="questions")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        saved = apply_service(
            form,
            lambda: services.questionnaire_save(
                questionnaire=questionnaire,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                title=form.cleaned_data["title"],
                intro=form.cleaned_data["intro"],
                edits=formset.edits(),
            ),
        )
        if saved is not None:
            messages.success(request, _("The questionnaire is saved."))
            return redirect(saved)
    return render(
        request,
        "evaluation/questionnaire_form.html",
        {"form": form, "formset": formset, "questionnaire": questionnaire},
    )


@require_POST
def questionnaire_copy(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for(request.user, pk)
    copy = services.questionnaire_copy(questionnaire=questionnaire, by=request.user)
    messages.success(request, _("A copy is made: change it, then run a round of it."))
    return redirect("evaluation:questionnaire_edit", pk=copy.pk)


@require_http_methods(["GET", "POST"])
def round_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """A new round, or one changed (once open: its title and last day only)."""
    access.require_centre(request.user)
    survey = access.get_round_for(request.user, pk) if pk else None
    opened = survey is not None and survey.has_opened(timezone.localdate())
    form = RoundForm(request.POST or None, instance=survey, opened=opened)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.changes().items() if k != "units"}
        saved = apply_service(
            form,
            lambda: services.round_save(
                survey=survey,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                units=list(form.cleaned_data["units"]),
                **values,
            ),
        )
        if saved is not None:
            messages.success(request, _("The round is saved."))
            return redirect(saved)
    return render(request, "evaluation/round_form.html", {"form": form, "survey": survey})


@require_GET
def round_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A round's answer rates (per group and unit: counts, never who) and what to do."""
    survey = access.get_round_for(request.user, pk)
    groups, total, units = selectors.answer_rates(survey)
    today = timezone.localdate()
    return render(
        request,
        "evaluation/round_detail.html",
        {
            "survey": survey,
            "groups": groups,
            "group_names": [Group(g).label for g in survey.groups],
            "total": total,
            "units": units,
            "today": today,
            "is_open": survey.is_open(today),
            "closed": survey.is_closed(today),
            "not_sent": survey.invitations.filter(sent_on__isnull=True).count(),
            "min_answers": MIN_ANSWERS,
        },
    )


def _link_for(request: HttpRequest) -> Any:
    return lambda token: request.build_absolute_uri(reverse("evaluation:answer", args=[token]))


@require_POST
def round_invite(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = access.get_round_for(request.user, pk)
    try:
        sent = services.invitations_send(
            survey=survey, by=request.user, link_for=_link_for(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(survey)
    _say_sent(request, sent)
    return redirect(survey)


@require_POST
def round_remind(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = access.get_round_for(request.user, pk)
    try:
        sent = services.reminders_send(survey=survey, by=request.user, link_for=_link_for(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(survey)
    _say_sent(request, sent)
    return redirect(survey)


def _say_sent(request: HttpRequest, sent: services.Sent) -> None:
    messages.success(
        request,
        ngettext("%(n)s e-mail is sent.", "%(n)s e-mails are sent.", sent.sent) % {"n": sent.sent},
    )
    if sent.failed:
        messages.error(
            request,
            ngettext(
                "%(n)s e-mail could not be sent; send again later.",
                "%(n)s e-mails could not be sent; send again later.",
                sent.failed,
            )
            % {"n": sent.failed},
        )


def _results(request: AuthenticatedHttpRequest, pk: int) -> selectors.Results:
    unit_pk = query_id(request.GET.get("unit"))
    survey, unit = access.get_round_for_results(request.user, pk, unit_pk)
    return selectors.results(survey, unit, timezone.localdate())


def _results_context(result: selectors.Results) -> dict[str, Any]:
    return {
        "r": result,
        "view": presenters.view(result),
        "texts": presenters.texts(result),
        "sizes": presenters.sizes(result),
        "unit_rows": presenters.unit_rows(result),
        "unit_columns": [q.question for q in result.scale_questions],
        "min_answers": MIN_ANSWERS,
    }


@require_GET
def round_results(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    result = _results(request, pk)
    return render(
        request,
        "evaluation/round_results.html",
        _results_context(result),
    )


@require_GET
def round_results_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    result = _results(request, pk)
    return spreadsheet_response(exports.dataset(result), exports.filename(result), "xlsx")


@require_GET
def round_results_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    result = _results(request, pk)
    return pdf_response(
        request,
        "evaluation/pdf/round_results.html",
        _results_context(result),
        exports.filename(result) + ".pdf",
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The personal link: the questions asked of the person's group, all on one page,
    each one may be skipped. No login needed: the link is the key."""
    invitation = access.get_invitation(token)
    survey = invitation.round
    today = timezone.localdate()
    context: dict[str, Any] = {"invitation": invitation, "survey": survey}
    if access.is_someone_elses(request.user, invitation):
        return render(
            request, "evaluation/answer_closed.html", {**context, "state": "other"}, status=403
        )
    if invitation.answered:
        return render(request, "evaluation/answer_closed.html", {**context, "state": "answered"})
    if not survey.is_open(today):
        state = "closed" if survey.is_closed(today) else "not_open"
        return render(request, "evaluation/answer_closed.html", {**context, "state": state})
    questions = [q for q in survey.questionnaire.questions.all() if q.asked_of(invitation.group)]
    form = AnswerForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        apply_service(
            form,
            lambda: services.response_submit(
                invitation=invitation, scores=form.scores(), texts=form.texts()
            ),
        )
        if invitation.answered:
            return render(request, "evaluation/answer_closed.html", {**context, "state": "thanks"})
    return render(request, "evaluation/answer.html", {**context, "form": form})
