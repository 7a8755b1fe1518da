"""The programme's health (the Centre), a unit's signals (its leader and the Centre), and
acknowledging a signal."""

from __future__ import annotations

from typing import Any

import tablib
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from peerprogram.access import AuthenticatedHttpRequest
from peerprogram.forms import VersionedFormMixin
from peerprogram.models import PeerWorker, StaffMember, Unit
from peerprogram.pdf import pdf_response
from peerprogram.views import apply_service, handle_form, spreadsheet_response

from . import access, selectors, services
from .models import SignalKind
from .signals import EXPLANATIONS, employed, facts_of, quiet_until, signals_of

HEALTH_PAGE_SIZE = 50
SORTS = ["name", "attention", *selectors.COLUMNS]


def _health(request: HttpRequest) -> dict[str, Any]:
    """The filters the page and the exports read, and the units they choose."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in Unit.Kind.values else ""
    organisation = request.GET.get("organisation", "").strip()[:200]
    sort = request.GET.get("sort", "name")
    sort = sort if sort in SORTS else "name"
    signal = request.GET.get("signal", "")
    signal = signal if signal in SignalKind.values else ""
    chosen = selectors.active_units()
    if kind:
        chosen = chosen.filter(kind=kind)
    if organisation:
        chosen = chosen.filter(organisation=organisation)
    today = timezone.localdate()
    return {
        "today": today,
        # Today's daily run when it has run; else every unit is worked out now.
        "run": selectors.todays_run(today),
        "kind": kind,
        "organisation": organisation,
        "sort": sort,
        "signal": signal,
        "chosen": chosen,
        "organisations": selectors.organisations(),
    }


def _rows(filters: dict[str, Any], page: str | None) -> tuple[Any, list[selectors.UnitHealth]]:
    """The rows the page (`page`) or an export (None) shows: filtered and sorted. From
    today's run, the database filters, sorts and pages the units' lines, and only the
    page's are read. Without a run (or with a unit made active since it ran) the page by
    name is worked out for its units only; any other order, or a signal to filter by,
    works out every unit first."""
    chosen, sort, signal = filters["chosen"], filters["sort"], filters["signal"]
    today, run = filters["today"], filters["run"]
    if run is not None and not selectors.run_missing(run, chosen):
        ordered = selectors.stored_order(run, today, chosen, sort, signal)
        if page is None:
            return None, selectors.stored_rows(ordered, run, today)
        shown = Paginator(ordered, HEALTH_PAGE_SIZE).get_page(page)
        return shown, selectors.stored_rows(shown.object_list, run, today)
    if sort == "name" and not signal and page is not None:
        shown = Paginator(chosen, HEALTH_PAGE_SIZE).get_page(page)
        return shown, selectors.unit_health(shown.object_list, today, run)
    rows = selectors.unit_health(chosen, today, run)
    if signal:
        rows = [r for r in rows if r.signals[signal]]
    if sort != "name":
        # The rows come by name: a stable sort keeps that order among equal figures.
        rows.sort(key=lambda r: -r.value(sort))
    if page is None:
        return None, rows
    page_of_rows = Paginator(rows, HEALTH_PAGE_SIZE).get_page(page)
    return page_of_rows, list(page_of_rows.object_list)


@require_GET
def health(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every unit against the risks the guides name, the units needing most first if
    asked; a unit opens to its peer workers and signals."""
    access.require_programme(request.user)
    filters = _health(request)
    page, rows = _rows(filters, request.GET.get("page", "1"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = request.GET.copy()
    sort_query.pop("sort", None)
    sort_query.pop("page", None)
    return render(
        request,
        "programme/health.html",
        {
            **filters,
            "page": page,
            "rows": rows,
            "total": page.paginator.count if page is not None else len(rows),
            "kinds": Unit.Kind.choices,
            "signal_kinds": SignalKind.choices,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
        },
    )


def _dataset(rows: list[selectors.UnitHealth]) -> tablib.Dataset:
    headers = [
        "Enhed",
        "Organisation",
        "Peermedarbejdere ansat nu",
        "Tjeklister med overskredne opgaver",
        "Mentorforløb der kræver opmærksomhed",
        "Uddannelse i første år mangler",
        "Ingen supervision i 8 uger",
        "Ikke til erfamøde i 3 måneder",
        "Peer drift",
        "Alene på arbejdspladsen",
        "Henvisninger (for få, for mange, venter)",
        "Stadig ansat efter 1 år (%)",
    ]
    data = tablib.Dataset(headers=headers, title="Programhelbred")
    for r in rows:
        data.append(
            [
                r.unit.name,
                r.unit.organisation,
                r.employed,
                r.overdue_checklists,
                r.mentoring,
                r.education,
                r.supervision,
                r.erfa,
                r.drift,
                "ja" if r.alone else "nej",
                r.referrals,
                "" if r.kept_one_year is None else r.kept_one_year,
            ]
        )
    return data


@require_GET
def health_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_programme(request.user)
    _page, rows = _rows(_health(request), None)
    return spreadsheet_response(_dataset(rows), "programhelbred", "xlsx")


@require_GET
def health_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_programme(request.user)
    filters = _health(request)
    _page, rows = _rows(filters, None)
    with translation.override("da"):
        kind_label = dict(Unit.Kind.choices).get(filters["kind"], "")
        signal_label = dict(SignalKind.choices).get(filters["signal"], "")
    heading, pages = selectors.pdf_pages(rows)
    return pdf_response(
        request,
        "programme/pdf/health.html",
        {
            "rows": rows,
            "heading": heading,
            "pages": pages,
            "kind_label": kind_label,
            "signal_label": signal_label,
            "organisation": filters["organisation"],
            "run": filters["run"],
            "today": timezone.localdate(),
        },
        "programhelbred.pdf",
    )


@require_GET
def unit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A unit's peer workers and the signals about them, each explained, with the
    guides' advice and a place to acknowledge it."""
    chosen = access.get_unit_for_signals(request.user, pk)
    today = timezone.localdate()
    facts = facts_of(PeerWorker.objects.filter(staff_member__unit=chosen), today)
    signals = signals_of(facts, today)
    return render(
        request,
        "programme/unit.html",
        {
            "unit": chosen,
            "peers": [p for p in facts if employed(p, today)],
            "signals": signals,
            "explanations": EXPLANATIONS,
            "today": today,
        },
    )


class EmailChoicesForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = ["weekly_digest", "language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_version_field()


@require_http_methods(["GET", "POST"])
def my_emails(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's own page for e-mail: the weekly digest of what needs them."""
    member = access.own_staff(request.user)
    form = EmailChoicesForm(request.POST or None, instance=member)
    return handle_form(
        request,
        form,
        lambda: services.email_choices_save(
            member=member,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        ),
        success=_("Your choices for e-mail are saved."),
        template="programme/my_emails.html",
        context={"form": form, "member": member},
        redirect_to=reverse("programme:my_emails"),
    )


class AckForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("What is done about it"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "The signal is quiet for 30 days. If the situation persists, it comes back."
        ),
    )


@require_http_methods(["GET", "POST"])
def signal_ack(request: AuthenticatedHttpRequest, peer_pk: int, kind: str) -> HttpResponse:
    """Acknowledge a signal about a peer worker with a comment."""
    peer = access.get_peer_for_signals(request.user, peer_pk)
    if kind not in SignalKind.values:
        kind = ""
    today = timezone.localdate()
    # The whole unit's facts: "alone" is about the unit, not the one peer worker.
    facts = facts_of(
        PeerWorker.objects.filter(staff_member__unit_id=peer.staff_member.unit_id), today
    )
    signal = next(
        (s for s in signals_of(facts, today) if s.kind == kind and s.peer.pk == peer.pk), None
    )
    form = AckForm(request.POST or None)
    if signal is not None and request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.signal_acknowledge(
                peer=peer, kind=kind, comment=form.cleaned_data["comment"], by=request.user
            ),
        )
        if done:
            messages.success(
                request,
                _("The signal is acknowledged until %(day)s.")
                % {"day": date_format(quiet_until(today), "DATE_FORMAT")},
            )
            return redirect(signal.url)
    return render(
        request,
        "programme/signal_ack.html",
        {"peer": peer, "signal": signal, "form": form, "kind": kind},
        status=200 if signal is not None else 404,
    )
