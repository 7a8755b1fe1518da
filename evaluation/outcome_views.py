"""Recovery outcomes measured with patients, and research.

The peer worker fills an instrument in with the patient at their side, one item at a
time in large type, as in co-writing; the patient may skip any item. The answers are
patient data: only the peer workers on the caseload read them, and every page that shows
them writes a row in the access log first. Leaders and the Centre see aggregates of at
least five patients; the Centre registers research projects and exports pseudonymised
rows of the patients who agreed."""

from __future__ import annotations

import datetime
from typing import Any

import tablib
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from journal import services as journal_services
from journal.models import NoteAccess, Patient
from peerprogram import access as core_access
from peerprogram.access import AuthenticatedHttpRequest
from peerprogram.filters import query_id
from peerprogram.views import apply_service, handle_form, int_or_zero, spreadsheet_response

from . import access, presenters, selectors, services
from .forms import (
    ConsentForm,
    InstrumentForm,
    ItemAnswerForm,
    ItemFormSet,
    PeerResearchForm,
    ProjectForm,
    StartForm,
)
from .models import (
    MIN_ANSWERS,
    Instrument,
    InstrumentItem,
    Measurement,
    PatientConsent,
    PeerResearchConsent,
    ResearchProject,
    Timepoint,
)

# The first year outcomes can be shown for: the product's records start in 2020.
FIRST_YEAR = 2020


def _log(request: AuthenticatedHttpRequest, patient_id: int, action: str) -> None:
    journal_services.outcome_access_log(user=request.user, patient_id=patient_id, action=action)


@require_GET
def patient_outcomes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A patient's consent, measurements and scores, and a measurement to start."""
    patient = access.get_patient_for_outcomes(request.user, pk)
    measurements = selectors.patient_outcomes(patient)
    if measurements:
        _log(request, patient.pk, NoteAccess.Action.OUTCOME)
    consent = PatientConsent.objects.filter(patient=patient).first()
    choices = [
        (f"{instrument.pk}:{point}", f"{instrument.name} · {Timepoint(point).label}")
        for instrument, points in selectors.startable(patient, measurements)
        for point in points
    ]
    due = []
    if patient.status == Patient.Status.ACTIVE:
        rows = [
            (m.patient_id, m.instrument_id, m.instrument.name, m.instrument.timepoints)
            + (m.timepoint, m.taken_on, m.status)
            for m in measurements
            if m.instrument.active
        ]
        due = selectors.due_from(rows, timezone.localdate())
    return render(
        request,
        "evaluation/patient_outcomes.html",
        {
            "patient": patient,
            "due": [(d, Timepoint(d.timepoint).label) for d in due],
            "consent": consent,
            "measurements": measurements,
            "start_form": StartForm(choices=choices) if choices else None,
            "may_measure": consent is not None and consent.measure_on is not None,
        },
    )


@require_GET
def measures_due(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The peer worker's own patients with an outcome measurement due (3, 6 and 12 months
    after the first), each leading to the patient's outcome page to fill it in."""
    peer = core_access.required(core_access.get_actor(request.user).peer)
    due = selectors.caseload_measures_due(peer, timezone.localdate())
    names = dict(
        Patient.objects.filter(pk__in={d.patient_id for d in due}).values_list("pk", "name")
    )
    return render(
        request,
        "evaluation/measures_due.html",
        {"due": [(d, names[d.patient_id], Timepoint(d.timepoint).label) for d in due]},
    )


@require_http_methods(["GET", "POST"])
def consent_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = access.get_patient_for_outcomes(request.user, pk)
    consent = PatientConsent.objects.filter(patient=patient).first()
    form = ConsentForm(request.POST or None, instance=consent)
    return handle_form(
        request,
        form,
        lambda: services.consent_save(
            patient=patient,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        ),
        success=_("The consent is saved."),
        template="evaluation/consent_form.html",
        context={"form": form, "patient": patient},
        redirect_to=reverse("evaluation:patient_outcomes", args=[patient.pk]),
    )


@require_POST
def measurement_start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = access.get_patient_for_outcomes(request.user, pk)
    peer = core_access.required(core_access.get_actor(request.user).peer)
    instrument_pk, _sep, point = request.POST.get("choice", "").partition(":")
    chosen = query_id(instrument_pk)
    instrument = Instrument.objects.filter(pk=chosen).first() if chosen is not None else None
    if instrument is None or point not in Timepoint.values:
        messages.error(request, _("Choose an instrument and a timepoint."))
        return redirect("evaluation:patient_outcomes", pk=patient.pk)
    try:
        measurement = services.measurement_start(
            patient=patient, instrument=instrument, timepoint=point, peer=peer, by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("evaluation:patient_outcomes", pk=patient.pk)
    return redirect("evaluation:measurement_fill", pk=measurement.pk)


def _item_index(request: AuthenticatedHttpRequest, items: list[InstrumentItem]) -> int:
    index = query_id(request.POST.get("item") or request.GET.get("item")) or 1
    return min(max(index, 1), len(items))


@require_http_methods(["GET", "POST"])
def measurement_fill(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One item on the screen, in large type; Next saves the answer (none: skipped)."""
    measurement = access.get_measurement_for(request.user, pk)
    if measurement.status != Measurement.Status.DRAFT:
        return redirect("evaluation:measurement_review", pk=measurement.pk)
    state = selectors.fill_state(measurement)
    if not state.items:
        messages.error(request, _("The instrument has no items yet."))
        return redirect("evaluation:patient_outcomes", pk=measurement.patient_id)
    index = _item_index(request, state.items)
    item = state.items[index - 1]
    form = ItemAnswerForm(
        request.POST or None,
        instrument=measurement.instrument,
        item=item,
        initial={"value": state.values.get(item.pk)},
    )
    if request.method == "POST" and form.is_valid():
        apply_service(
            form,
            lambda: services.measurement_answer(
                measurement=measurement, item=item, value=form.cleaned_data["value"]
            ),
        )
        if not form.errors:
            move = request.POST.get("move", "next")
            if move == "leave":
                return redirect("evaluation:patient_outcomes", pk=measurement.patient_id)
            if move == "back":
                target = max(index - 1, 1)
            elif index >= len(state.items):
                return redirect("evaluation:measurement_review", pk=measurement.pk)
            else:
                target = index + 1
            return redirect(
                reverse("evaluation:measurement_fill", args=[measurement.pk]) + f"?item={target}"
            )
    # The page shows the answer given so far: a read of the patient's answers.
    _log(request, measurement.patient_id, NoteAccess.Action.MEASURE)
    return render(
        request,
        "evaluation/measurement_fill.html",
        {
            "measurement": measurement,
            "patient": measurement.patient,
            "form": form,
            "item": item,
            "index": index,
            "total": len(state.items),
            "answered": state.answered,
        },
    )


@require_http_methods(["GET", "POST"])
def measurement_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """All the answers, read together before the patient says it is done; after that,
    the answers and the score as they were given."""
    measurement = access.get_measurement_for(request.user, pk)
    if request.method == "POST":
        try:
            services.measurement_finish(measurement=measurement, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The measurement is done. Thank the patient."))
        return redirect("evaluation:patient_outcomes", pk=measurement.patient_id)
    state = selectors.fill_state(measurement)
    _log(request, measurement.patient_id, NoteAccess.Action.OUTCOME)
    rows = [(n, item, state.values.get(item.pk)) for n, item in enumerate(state.items, start=1)]
    return render(
        request,
        "evaluation/measurement_review.html",
        {
            "measurement": measurement,
            "patient": measurement.patient,
            "rows": rows,
            "answered": state.answered,
            "total": len(state.items),
            "enough": state.answered * 2 >= len(state.items),
        },
    )


@require_POST
def measurement_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    measurement = access.get_measurement_for(request.user, pk)
    try:
        services.measurement_discard(measurement=measurement, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The measurement is discarded."))
    return redirect("evaluation:patient_outcomes", pk=measurement.patient_id)


@require_GET
def outcomes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The aggregates of an ended year (a leader's units and the programme, or every unit
    for the Centre); the Centre's instruments and research projects. Only ended years:
    figures that grew with each measurement would tell the patient just measured."""
    unit_ids = access.outcome_unit_ids(request.user)
    centre = unit_ids is None
    last = timezone.localdate().year - 1
    year = int_or_zero(request.GET.get("year")) or last
    year = min(max(year, FIRST_YEAR), last)
    period = (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    summaries = selectors.outcome_summaries(unit_ids, None, period)
    return render(
        request,
        "evaluation/outcomes.html",
        {
            "views": presenters.outcome_views(summaries),
            "year": year,
            "years": range(last, FIRST_YEAR - 1, -1),
            "centre": centre,
            "instruments": Instrument.objects.all() if centre else [],
            "projects": ResearchProject.objects.all() if centre else [],
            "min_answers": MIN_ANSWERS,
        },
    )


@require_GET
def instrument_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    instrument = access.get_instrument_for(request.user, pk)
    return render(
        request,
        "evaluation/instrument_detail.html",
        {
            "instrument": instrument,
            "items": instrument.items.all(),
            "used": instrument.measurements.count(),
        },
    )


@require_http_methods(["GET", "POST"])
def instrument_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    access.require_centre(request.user)
    instrument = access.get_instrument_for(request.user, pk) if pk else None
    form = InstrumentForm(request.POST or None, instance=instrument)
    items = instrument.items.all() if instrument else InstrumentItem.objects.none()
    formset = ItemFormSet(request.POST or None, queryset=items, prefix="items")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        saved = apply_service(
            form,
            lambda: services.instrument_save(
                instrument=instrument,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                fields=form.changes(),
                edits=formset.edits(),
            ),
        )
        if saved is not None:
            messages.success(request, _("The instrument is saved."))
            return redirect(saved)
    return render(
        request,
        "evaluation/instrument_form.html",
        {"form": form, "formset": formset, "instrument": instrument},
    )


@require_http_methods(["GET", "POST"])
def peer_research(request: AuthenticatedHttpRequest, peer_pk: int) -> HttpResponse:
    """Whether a peer worker may be contacted about research: the peer worker's own
    answer, recorded by them or the Centre."""
    peer = access.get_peer_for_research(request.user, peer_pk)
    consent = PeerResearchConsent.objects.filter(peer=peer).first()
    initial: dict[str, Any] = {}
    if consent is not None:
        initial = {
            "research": "yes" if consent.research else "no",
            "research_on": consent.research_on,
            "version": consent.version,
        }
    form = PeerResearchForm(request.POST or None, initial=initial)
    return handle_form(
        request,
        form,
        lambda: services.peer_research_save(
            peer=peer,
            by=request.user,
            expected_version=form.cleaned_data["version"] if consent else None,
            research=form.cleaned_data["research"],
            research_on=form.cleaned_data["research_on"],
        ),
        success=_("The answer is saved."),
        template="evaluation/peer_research.html",
        context={"form": form, "peer": peer, "consent": consent},
        redirect_to=peer.get_absolute_url(),
    )


@require_GET
def project_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = access.get_project_for(request.user, pk)
    return render(
        request,
        "evaluation/project_detail.html",
        {
            "project": project,
            "exports": project.exports.all(),
            "patients": PatientConsent.objects.filter(research=True).count(),
            "peers": PeerResearchConsent.objects.filter(research=True)
            .select_related("peer__staff_member__unit")
            .order_by("peer__staff_member__name"),
            "active": project.starts_on <= timezone.localdate() <= project.ends_on,
        },
    )


@require_http_methods(["GET", "POST"])
def project_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    access.require_centre(request.user)
    project = access.get_project_for(request.user, pk) if pk else None
    form = ProjectForm(request.POST or None, instance=project)
    return handle_form(
        request,
        form,
        lambda: services.project_save(
            project=project,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        ),
        success=_("The research project is saved."),
        template="evaluation/project_form.html",
        context={"form": form, "project": project},
    )


@require_POST
def project_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The pseudonymised rows of the patients who agreed to research, while the project
    runs; each export is recorded."""
    project = access.get_project_for(request.user, pk)
    if not project.starts_on <= timezone.localdate() <= project.ends_on:
        messages.error(request, _("Exports are made while the project runs."))
        return redirect(project)
    rows, patients = selectors.research_rows(project)
    services.research_export_log(
        project=project, by=request.user, patients=patients, rows=len(rows)
    )
    data = tablib.Dataset(*rows, headers=selectors.RESEARCH_HEADERS, title="data")
    return spreadsheet_response(data, f"research-{project.pk}", "xlsx")
