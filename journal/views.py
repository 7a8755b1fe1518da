"""Journal pages: the caseload, patients, referrals, co-writing notes, group notes, statistics.

Every view that shows note content writes the access log first (`_log`), and sends
`Cache-Control: no-store` so no browser or proxy keeps a copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerprogram import access as core_access
from peerprogram.access import AuthenticatedHttpRequest
from peerprogram.models import PeerWorker, Unit
from peerprogram.pdf import pdf_response
from peerprogram.presenters import unit_options
from peerprogram.services import ConcurrentEditError
from peerprogram.views import apply_service, handle_form, int_or_zero, spreadsheet_response

from . import access, charts, exports, selectors, services
from .forms import (
    STEP_NAMES,
    STEPS,
    TEXT_STEPS,
    ApproveForm,
    ConcernRecordForm,
    GroupNoteForm,
    NoteErrorForm,
    NoteFactsForm,
    PatientForm,
    ReferralAcceptForm,
    ReferralDeclineForm,
    ReferralForm,
    StatisticsForm,
    Step,
    StepTextForm,
)
from .models import Note, NoteAccess, NoteVersion, Referral


def _peer(request: AuthenticatedHttpRequest) -> PeerWorker:
    """The journal is written by peer workers; other roles follow it in the statistics."""
    return core_access.required(core_access.get_actor(request.user).peer)


def _already_saved(request: AuthenticatedHttpRequest, made: services.Made) -> HttpResponse:
    """A creating form sent a second time: lead to what the first sending made (a note
    still being written: its co-writing, where the first sending led)."""
    messages.info(request, _("This was already saved."))
    if isinstance(made, Note) and made.status == Note.Status.DRAFT:
        return redirect(_step_url(made, 1))
    return redirect(made)


def _log(
    request: AuthenticatedHttpRequest,
    notes: Iterable[Note],
    action: str,
    version_number: int | None = None,
) -> None:
    services.access_log(
        user=request.user, notes=list(notes), action=action, version_number=version_number
    )


# The caseload and patients ----------------------------------------------------------


@require_GET
@never_cache
def caseload(request: AuthenticatedHttpRequest) -> HttpResponse:
    peer = _peer(request)
    patients = list(selectors.caseload(peer))
    waiting = selectors.waiting_for(peer)
    return render(
        request,
        "journal/caseload.html",
        {
            "active": [p for p in patients if p.status == p.Status.ACTIVE],
            "ended": [p for p in patients if p.status != p.Status.ACTIVE],
            "waiting": waiting,
            "concern_patients": {n.patient_id for n in waiting.concerns},
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
def patient_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    peer = _peer(request)
    form = PatientForm(request.POST or None)
    return handle_form(
        request,
        form,
        lambda: services.patient_create(by=request.user, peer=peer, **form.cleaned_data),
        success=_("The patient is on your caseload."),
        template="journal/patient_form.html",
        context={"patient": None},
    )


@require_GET
@never_cache
def patient_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = access.get_patient_for(request.user, pk)
    return render(
        request,
        "journal/patient_detail.html",
        {
            "patient": patient,
            "notes": selectors.patient_notes(patient, request.GET.get("page") or 1),
            "peers": patient.peers.select_related("staff_member"),
            "referrals": patient.referrals.select_related("referred_by", "peer__staff_member"),
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
def patient_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = access.get_patient_for(request.user, pk)
    form = PatientForm(
        request.POST or None,
        instance=patient,
        peers=access.caseload_peers_for(patient),
        initial={"peers": list(patient.peers.all())},
    )
    return handle_form(
        request,
        form,
        lambda: services.patient_update(
            patient=patient,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            peers=list(form.cleaned_data["peers"]),
            **form.changes(),
        ),
        success=_("The patient's facts are saved."),
        template="journal/patient_form.html",
        context={"patient": patient},
    )


@require_GET
@never_cache
def patient_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """All of the patient's final notes, for the patient to take home."""
    patient = access.get_patient_for(request.user, pk)
    versions = selectors.final_versions(patient)
    services.access_log(user=request.user, versions=versions, action=NoteAccess.Action.PRINT)
    response = pdf_response(
        request,
        "journal/pdf/notes.html",
        {"patient": patient, "versions": versions},
        f"peernotater-{patient.pk}.pdf",
    )
    add_never_cache_headers(response)
    return response


@require_GET
@never_cache
def patient_access_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Who read the patient's notes, when and how: printed for the patient on request."""
    patient = access.get_patient_for(request.user, pk)
    response = pdf_response(
        request,
        "journal/pdf/access_report.html",
        {"patient": patient, "rows": selectors.access_report(patient)},
        f"adgangslog-{patient.pk}.pdf",
    )
    add_never_cache_headers(response)
    return response


# Referrals ---------------------------------------------------------------------------


@require_GET
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    actor = core_access.get_actor(request.user)
    core_access.require(actor.staff is not None)
    referrals = access.referrals_for(request.user)
    return render(
        request,
        "journal/referral_list.html",
        {
            "is_peer": actor.peer is not None,
            "received": referrals.filter(peer=actor.peer) if actor.peer else [],
            "sent": referrals.filter(referred_by=actor.staff),
            "may_refer": access.referral_peers_for(request.user).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def referral_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    staff = core_access.required(core_access.get_actor(request.user).staff)
    peers = access.referral_peers_for(request.user)
    form = ReferralForm(request.POST or None, peers=peers)
    try:
        return handle_form(
            request,
            form,
            lambda: services.referral_create(
                by=request.user, referred_by=staff, **form.cleaned_data
            ),
            success=_("The referral is sent. The peer worker answers on the referral's page."),
            template="journal/referral_form.html",
            context={"has_peers": peers.exists()},
        )
    except services.AlreadySaved as sent:
        return _already_saved(request, sent.made)


@require_GET
@never_cache
def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = access.get_referral_for(request.user, pk)
    actor = core_access.get_actor(request.user)
    answering = (
        actor.peer is not None
        and referral.peer_id == actor.peer.pk
        and referral.status == Referral.Status.PENDING
    )
    return render(
        request,
        "journal/referral_detail.html",
        {
            "referral": referral,
            "answering": answering,
            "accept_form": ReferralAcceptForm(),
            "decline_form": ReferralDeclineForm(),
        },
    )


@require_POST
def referral_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = access.get_referral_for_answer(request.user, pk)
    form = ReferralAcceptForm(request.POST)
    if form.is_valid():
        patient = apply_service(
            form,
            lambda: services.referral_accept(
                referral=referral, by=request.user, **form.cleaned_data
            ),
        )
        if patient:
            messages.success(
                request,
                _("You accepted the referral. %(name)s is on your caseload.")
                % {"name": patient.name},
            )
            return redirect(patient)
    return render(
        request,
        "journal/referral_detail.html",
        {
            "referral": referral,
            "answering": True,
            "accept_form": form,
            "decline_form": ReferralDeclineForm(),
        },
    )


@require_POST
def referral_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = access.get_referral_for_answer(request.user, pk)
    form = ReferralDeclineForm(request.POST)
    if form.is_valid() and (
        apply_service(
            form,
            lambda: services.referral_decline(
                referral=referral, by=request.user, reason=form.cleaned_data["decline_reason"]
            ),
        )
        is not None
    ):
        messages.success(request, _("You declined the referral; your colleague can see why."))
        return redirect("journal:referral_list")
    return render(
        request,
        "journal/referral_detail.html",
        {
            "referral": referral,
            "answering": True,
            "accept_form": ReferralAcceptForm(),
            "decline_form": form,
        },
    )


# Notes ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@never_cache
def note_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Start a note with the patient: the facts first, then the co-writing steps."""
    patient = access.get_patient_for(request.user, pk)
    peer = _peer(request)
    form = NoteFactsForm(
        request.POST or None,
        initial={"date": timezone.localdate(), "minutes": 45, "place": "outpatient"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            note = apply_service(
                form,
                lambda: services.note_start(
                    patient=patient, peer=peer, by=request.user, **form.cleaned_data
                ),
            )
        except services.AlreadySaved as sent:
            return _already_saved(request, sent.made)
        if note:
            return redirect(_step_url(note, 1))
    return render(request, "journal/note_start.html", {"form": form, "patient": patient})


def _step_url(note: Note, index: int) -> str:
    return reverse("journal:note_write", args=[note.pk]) + f"?step={STEP_NAMES[index]}"


def _step_index(request: AuthenticatedHttpRequest) -> int | None:
    """The step asked for; a page opened without one starts at the first CHIME element.
    A POST must name its step (otherwise it would save into the wrong field)."""
    name = request.POST.get("step") if request.method == "POST" else request.GET.get("step")
    if not name and request.method == "GET":
        return 1
    return STEP_NAMES.index(name) if name in STEP_NAMES else None


def _step_form(
    step: Step, draft: NoteVersion, data: QueryDict | None = None
) -> NoteFactsForm | ApproveForm | StepTextForm:
    if step.name == "facts":
        return NoteFactsForm(data, instance=draft, initial={"version": draft.version})
    if step.name == "approve":
        return ApproveForm(data, initial={"version": draft.version})
    return StepTextForm(
        data,
        step=step,
        initial={"version": draft.version, step.name: getattr(draft, step.name)},
    )


@require_http_methods(["GET", "POST"])
@never_cache
def note_write(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Co-writing: one part of the note per screen, in large type, with the patient."""
    note = access.get_note_for(request.user, pk)
    draft = services.draft_of(note)
    if draft is None:
        messages.info(
            request, _("The note has no draft. Use “Change the note” to write a new version.")
        )
        return redirect(note)
    index = _step_index(request)
    if index is None:
        return HttpResponseBadRequest(_("Unknown step."))
    step = STEPS[index]
    if step.name == "approve" and request.method == "POST":
        return _approve(request, note, draft)
    form = _step_form(step, draft, request.POST or None)
    kept = ""
    # (A posted approval was answered above.)
    if request.method == "POST" and not isinstance(form, ApproveForm) and form.is_valid():
        changes = form.changes()
        conflict = False

        def save() -> NoteVersion | None:
            nonlocal conflict
            try:
                return services.draft_save(
                    draft=draft,
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    changes=changes,
                )
            except ConcurrentEditError:
                conflict = True
                return None

        if apply_service(form, save):
            if "leave" in request.POST:
                messages.success(request, _("The draft is saved."))
                return redirect(note)
            target = index - 1 if "back" in request.POST else index + 1
            if request.POST.get("goto") in STEP_NAMES:
                target = STEP_NAMES.index(request.POST["goto"])
            return redirect(_step_url(note, max(0, min(target, len(STEPS) - 1))))
        if conflict:
            # Show what is stored now, and keep what this person typed, to copy.
            kept = "\n\n".join(str(v) for v in changes.values())
            draft.refresh_from_db()
            form = _step_form(step, draft)
    return _write_page(request, note, draft, form, index, kept=kept)


def _write_page(
    request: AuthenticatedHttpRequest,
    note: Note,
    draft: NoteVersion,
    form: NoteFactsForm | ApproveForm | StepTextForm,
    index: int,
    *,
    kept: str = "",
) -> HttpResponse:
    """The co-writing screen. Every screen but the facts shows the note's text: a read."""
    step = STEPS[index]
    if step.name != "facts":
        _log(request, [note], NoteAccess.Action.COWRITE, draft.number)
    # Approving a change: the parts that differ from the note the patient approved before.
    changed: set[str] = set()
    if step.name == "approve" and note.current_id and note.current_id != draft.pk:
        approved = note.current
        changed = {
            name
            for name in (*services.FACT_FIELDS, *TEXT_STEPS)
            if getattr(approved, name) != getattr(draft, name)
        }
    return render(
        request,
        "journal/note_write.html",
        {
            "note": note,
            "draft": draft,
            "form": form,
            "step": step,
            "index": index,
            "steps": STEPS,
            "kept": kept,
            "text_field": form[step.name] if isinstance(form, StepTextForm) else None,
            "changed": changed,
            "facts_changed": bool(changed & set(services.FACT_FIELDS)),
        },
    )


def _approve(request: AuthenticatedHttpRequest, note: Note, draft: NoteVersion) -> HttpResponse:
    form = ApproveForm(request.POST)
    if form.is_valid() and (
        apply_service(
            form,
            lambda: services.note_approve(
                note=note, by=request.user, expected_version=form.cleaned_data["version"]
            ),
        )
        is not None
    ):
        messages.success(request, _("The patient approved the note. It is final now."))
        return redirect(note)
    draft.refresh_from_db()
    return _write_page(request, note, draft, form, len(STEPS) - 1)


@require_POST
@never_cache
def note_autosave(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """htmx: saves the text being typed. The answer holds the time and the new save count,
    never the stored text."""
    note = access.get_note_for(request.user, pk)
    draft = services.draft_of(note)
    index = _step_index(request)
    context: dict[str, Any] = {
        "saved_at": None,
        "error": "",
        "version": int_or_zero(request.POST.get("version")),
    }
    step = STEPS[index] if index is not None else None
    if step is None or step.name in ("facts", "approve"):
        context["error"] = _("Not saved: this step has no text to save.")
    elif draft is None:
        context["error"] = _("Not saved: the note is no longer a draft.")
    else:
        form = StepTextForm(request.POST, step=step)
        if not form.is_valid():
            context["error"] = " ".join(str(e) for errs in form.errors.values() for e in errs)
        else:
            try:
                saved = services.draft_save(
                    draft=draft,
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    changes=form.changes(),
                )
            except ConcurrentEditError:
                context["error"] = _(
                    "Not saved: someone else changed this draft a moment ago. Your text is "
                    "still in the box: copy it, then reload the page to see their version."
                )
            else:
                context.update(saved_at=timezone.localtime(saved.saved_at), version=saved.version)
    return render(request, "journal/_autosave.html", context)


@require_GET
@never_cache
def note_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    note = access.get_note_for(request.user, pk)
    return _note_page(request, note, ConcernRecordForm(initial={"passed_at": timezone.localtime()}))


def _note_page(
    request: AuthenticatedHttpRequest, note: Note, concern_form: ConcernRecordForm
) -> HttpResponse:
    """The note as it stands (or its draft), its versions and what can be done: a read."""
    draft = services.draft_of(note)
    shown = note.current or draft
    _log(request, [note], NoteAccess.Action.VIEW, shown.number if shown else None)
    return render(
        request,
        "journal/note_detail.html",
        {
            "note": note,
            "shown": shown,
            "draft": draft,
            "versions": selectors.note_versions(note),
            "error_form": NoteErrorForm(),
            "concern_form": concern_form,
        },
    )


@require_GET
@never_cache
def note_version(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    note = access.get_note_for(request.user, pk)
    version = get_object_or_404(
        note.versions.select_related("written_by__staff_member"), number=number
    )
    _log(request, [note], NoteAccess.Action.VERSION, number)
    return render(request, "journal/note_version.html", {"note": note, "shown": version})


@require_GET
@never_cache
def note_copy(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Plain text under the CHIME headings, to paste into the hospital record."""
    note = access.get_note_for(request.user, pk)
    if note.current is None:
        messages.info(request, _("Only a note the patient approved can be copied."))
        return redirect(note)
    _log(request, [note], NoteAccess.Action.COPY, note.current.number)
    text = render_to_string(
        "journal/note_plain.txt", {"note": note, "shown": note.current}, request=request
    )
    return render(request, "journal/note_copy.html", {"note": note, "text": text})


@require_GET
@never_cache
def note_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    note = access.get_note_for(request.user, pk)
    if note.current is None:
        messages.info(request, _("Only a note the patient approved can be printed."))
        return redirect(note)
    _log(request, [note], NoteAccess.Action.PRINT, note.current.number)
    response = pdf_response(
        request,
        "journal/pdf/notes.html",
        {"patient": note.patient, "versions": [note.current]},
        f"peernotat-{note.pk}.pdf",
    )
    add_never_cache_headers(response)
    return response


def _note_action(
    request: AuthenticatedHttpRequest, note: Note, call: Callable[[], object], success: str
) -> HttpResponse:
    try:
        call()
    except services.ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(note)


@require_POST
def note_revise(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    note = access.get_note_for(request.user, pk)
    peer = _peer(request)
    try:
        services.note_revise(note=note, peer=peer, by=request.user)
    except services.ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(note)
    return redirect(_step_url(note, 1))


@require_POST
def note_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    note = access.get_note_for(request.user, pk)
    return _note_action(
        request,
        note,
        lambda: services.draft_discard(note=note, by=request.user),
        _("The draft is discarded; its text is removed."),
    )


@require_POST
def note_mark_error(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    note = access.get_note_for(request.user, pk)
    form = NoteErrorForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the note was entered in error."))
        return redirect(note)
    return _note_action(
        request,
        note,
        lambda: services.note_mark_error(
            note=note, by=request.user, reason=form.cleaned_data["reason"]
        ),
        _("The note is marked as entered in error. It stays in the history."),
    )


@require_POST
def note_concern(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Flag a concern (duty to inform), or record that it was passed on to the team."""
    note = access.get_note_for(request.user, pk)
    if not note.concern:
        return _note_action(
            request,
            note,
            lambda: services.concern_raise(note=note, by=request.user),
            _("The concern is flagged. Record here when you have passed it to the team."),
        )
    form = ConcernRecordForm(request.POST)
    if form.is_valid() and (
        apply_service(
            form,
            lambda: services.concern_record(note=note, by=request.user, **form.cleaned_data),
        )
        is not None
    ):
        messages.success(request, _("Recorded: the concern was passed to the team."))
        return redirect(note)
    return _note_page(request, note, form)


# Group notes -----------------------------------------------------------------------------


@require_GET
def group_note_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _peer(request)
    return render(
        request,
        "journal/group_note_list.html",
        {"notes": access.group_notes_for(request.user)},
    )


@require_http_methods(["GET", "POST"])
def group_note_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    peer = _peer(request)
    form = GroupNoteForm(request.POST or None, initial={"date": timezone.localdate()})
    try:
        return handle_form(
            request,
            form,
            lambda: services.group_note_create(by=request.user, peer=peer, **form.cleaned_data),
            success=_("The group note is saved."),
            template="journal/group_note_form.html",
            context={"note": None},
            redirect_to="journal:group_note_list",
        )
    except services.AlreadySaved as sent:
        return _already_saved(request, sent.made)


@require_http_methods(["GET", "POST"])
def group_note_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    note = access.get_group_note_for(request.user, pk)
    form = GroupNoteForm(request.POST or None, instance=note)
    return handle_form(
        request,
        form,
        lambda: services.group_note_update(
            note=note,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        ),
        success=_("The group note is saved."),
        template="journal/group_note_form.html",
        context={"note": note},
        redirect_to="journal:group_note_list",
    )


# Statistics ----------------------------------------------------------------------------


def _statistics(
    request: AuthenticatedHttpRequest, *, paginate: bool
) -> tuple[StatisticsForm, selectors.Statistics, Unit | None]:
    """The figures of the peer workers the user follows: by unit when they work in more
    than one unit, per peer worker otherwise; the page shows a page of rows at a time,
    the export all of them."""
    core_access.require(access.may_see_statistics(request.user))
    peers = access.statistics_peers_for(request.user)
    units = core_access.units_for(request.user).filter(pk__in=peers.values("staff_member__unit_id"))
    form = StatisticsForm(
        request.GET or None, units=units, initial={"to": timezone.localdate().replace(day=1)}
    )
    unit, last = None, timezone.localdate()
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        last = form.cleaned_data["to"] or last
    figures = selectors.statistics(
        peers,
        selectors.months_back(last),
        page=(request.GET.get("page") or 1) if paginate else None,
        unit=unit.pk if unit is not None else None,
        # Centre staff and administrators reach every peer worker (access.peers_for).
        every_peer=core_access.get_actor(request.user).sees_programme,
    )
    return form, figures, unit


def _grids(figures: selectors.Statistics, month_labels: list[str]) -> str:
    """The page's three tables (some 860 cells for the Centre) from their Jinja2 template:
    the one measured exception to Django's templates (docs/architecture.md, "Templates").
    Its environment escapes every value as Django does, so what it writes is HTML."""
    by_unit = bool(figures.by_unit)
    html = render_to_string(
        "journal/statistics_grids.html",
        {
            "table": charts.table_rows(figures),
            "by_unit": by_unit,
            "unit_query": f"to={figures.months[-1]:%Y-%m}&unit=",
            "month_labels": month_labels,
            "month_rows": charts.month_rows(figures),
            "month_columns": charts.month_columns(),
            "texts": charts.grid_texts(
                by_unit, settings.JOURNAL_LOAD_LOW, settings.JOURNAL_LOAD_HIGH
            ),
        },
        using="jinja2",
    )
    return mark_safe(html)  # noqa: S308 - escaped by the Jinja2 environment (peerprogram.jinja2)


@require_GET
def statistics(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, figures, unit = _statistics(request, paginate=True)
    chime_bars = charts.chime_bars(figures)
    month_bars = charts.month_bars(figures)
    return render(
        request,
        "journal/statistics.html",
        {
            "form": form,
            # The form's units (units_for), from the units the figures were read with.
            "unit_options": unit_options(
                core_access.units_reached(request.user, figures.units),
                unit.pk if unit is not None else None,
            ),
            "stats": figures,
            "unit": unit,
            "query": request.GET.urlencode(),
            "page": figures.page,
            "month_bars": month_bars,
            "chime_bars": chime_bars,
            "grids": _grids(figures, [b.label for b in month_bars]),
        },
    )


@require_GET
def statistics_export(request: AuthenticatedHttpRequest, file_format: str) -> HttpResponse:
    _form, figures, _unit = _statistics(request, paginate=False)
    return spreadsheet_response(exports.statistics_dataset(figures), "peerstatistik", file_format)
