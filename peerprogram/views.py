"""Pages of the shared programme model: units, staff, peer workers, imports and exports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, overload

import tablib
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from . import access, presenters, selectors, services
from .access import AuthenticatedHttpRequest
from .filters import PeerFilter, StaffFilter, UnitFilter, query_id
from .forms import ImportUploadForm, PeerStaffForm, PeerWorkerForm, StaffMemberForm, UnitForm
from .imports import (
    ImportFileError,
    escape_for_spreadsheet,
    forget_checked,
    keep_checked,
    read_dataset,
    run_import,
    take_checked,
)
from .models import StaffMember, Unit
from .resources import HEADINGS, SHEET_NAMES, ScopedResource, StaffResource, UnitResource

if TYPE_CHECKING:
    from django.shortcuts import SupportsGetAbsoluteUrl
    from django_stubs_ext import StrOrPromise

R = TypeVar("R")
M = TypeVar("M", bound=Model)

PAGE_SIZE = 50


def page_of(request: HttpRequest, queryset: QuerySet[M]) -> Page[M]:
    """The page of a list asked for by ?page= (PAGE_SIZE rows)."""
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def int_or_zero(value: Any) -> int:
    """A posted number such as a version; anything unreadable counts as 0 (stale)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def apply_service(form: forms.BaseForm, call: Callable[[], R]) -> R | None:
    """Run a service; turn its refusals into form errors so nothing typed is lost."""
    try:
        return call()
    except services.ConcurrentEditError as exc:
        form.add_error(None, str(exc.message))
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                target = field if field in form.fields else None
                for error in errors:
                    form.add_error(target, error)
        else:
            form.add_error(None, exc)
    return None


def _preselected_unit(request: HttpRequest, units: QuerySet[Unit]) -> Unit | None:
    """The unit named in ?unit=, or the only unit the user can choose."""
    chosen = query_id(request.GET.get("unit"))
    if chosen is not None:
        return units.filter(pk=chosen).first()
    only = list(units[:2])
    return only[0] if len(only) == 1 else None


@overload
def handle_form(
    request: AuthenticatedHttpRequest,
    form: forms.BaseForm,
    save: Callable[[], SupportsGetAbsoluteUrl],
    *,
    success: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse: ...


@overload
def handle_form(
    request: AuthenticatedHttpRequest,
    form: forms.BaseForm,
    save: Callable[[], object],
    *,
    success: str,
    template: str,
    context: dict[str, Any],
    redirect_to: str | SupportsGetAbsoluteUrl,
) -> HttpResponse: ...


def handle_form(
    request: AuthenticatedHttpRequest,
    form: forms.BaseForm,
    save: Callable[[], Any],
    *,
    success: str,
    template: str,
    context: dict[str, Any],
    redirect_to: str | SupportsGetAbsoluteUrl | None = None,
) -> HttpResponse:
    """The shape every form page shares: on a valid POST run the service (its refusals
    become form errors, nothing typed is lost), say what happened and redirect to the
    result (or `redirect_to`); otherwise show the form again."""
    if request.method == "POST" and form.is_valid():
        result = apply_service(form, save)
        if result:
            messages.success(request, success)
            return redirect(redirect_to or result)
    return render(request, template, {"form": form, **context})


# Units -------------------------------------------------------------------------


@require_GET
def unit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require(access.get_actor(request.user).manages_units)
    units = selectors.units_with_counts(access.units_for(request.user))
    unit_filter = UnitFilter(request.GET, queryset=units.order_by("name"))
    page = page_of(request, unit_filter.qs)
    return render(
        request,
        "peerprogram/unit_list.html",
        {
            "filter": unit_filter,
            "page": page,
            "rows": presenters.unit_rows(page.object_list),
            "may_create": access.can_create_unit(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def unit_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require(access.can_create_unit(request.user))
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        unit = apply_service(form, lambda: services.unit_create(by=request.user, **form.changes()))
        if unit:
            messages.success(request, _("The unit %(name)s was created.") % {"name": unit.name})
            return redirect(unit)
    return render(request, "peerprogram/unit_form.html", {"form": form, "unit": None})


@require_GET
def unit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    unit = access.get_unit_for(request.user, pk)
    tables = presenters.unit_tables(selectors.unit_people([unit]))[0]
    return render(
        request,
        "peerprogram/unit_detail.html",
        {"unit": unit, "staff": tables.staff, "peers": tables.peers},
    )


@require_http_methods(["GET", "POST"])
def unit_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    unit = access.get_unit_for(request.user, pk)
    may_choose_leader = access.can_edit_unit_leader(request.user)
    form = UnitForm(request.POST or None, instance=unit, may_choose_leader=may_choose_leader)
    return handle_form(
        request,
        form,
        lambda: services.unit_update(
            unit=unit,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        ),
        success=_("The changes were saved."),
        template="peerprogram/unit_form.html",
        context={"unit": unit},
    )


# Staff -------------------------------------------------------------------------


@require_GET
def staff_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require(access.get_actor(request.user).manages_units)
    units = access.units_for(request.user)
    # Names repeat: the id decides between namesakes, so that pages do not overlap.
    staff = access.staff_for(request.user).filter(unit__in=units).order_by("name", "pk")
    staff_filter = StaffFilter(request.GET, queryset=staff, units=units)
    page = page_of(request, staff_filter.qs)
    return render(
        request,
        "peerprogram/staff_list.html",
        {"filter": staff_filter, "page": page, "rows": presenters.staff_rows(page.object_list)},
    )


@require_http_methods(["GET", "POST"])
def staff_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    actor = access.get_actor(request.user)
    access.require(actor.manages_units)
    units = access.editable_units_for(request.user)
    initial = {"unit": _preselected_unit(request, units)}
    form = StaffMemberForm(
        request.POST or None, initial=initial, units=units, may_set_centre=actor.sees_programme
    )
    if request.method == "POST" and form.is_valid():
        member = apply_service(
            form, lambda: services.staff_create(by=request.user, **form.changes())
        )
        if member:
            messages.success(request, _("%(name)s was added.") % {"name": member.name})
            return redirect(member)
    return render(request, "peerprogram/staff_form.html", {"form": form, "member": None})


@require_GET
def staff_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = access.get_staff_for(request.user, pk)
    may_edit = access.may_edit_staff(request.user, member)
    # Only the mentees the viewer may see themselves.
    mentees = selectors.mentees_now(member).filter(
        pk__in=access.peers_for(request.user).values("pk")
    )
    return render(
        request,
        "peerprogram/staff_detail.html",
        {"member": member, "may_edit": may_edit, "mentees": mentees},
    )


@require_http_methods(["GET", "POST"])
def staff_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = access.get_staff_for_edit(request.user, pk)
    actor = access.get_actor(request.user)
    form = StaffMemberForm(
        request.POST or None,
        instance=member,
        units=access.editable_units_for(request.user),
        may_set_centre=actor.sees_programme,
    )
    return handle_form(
        request,
        form,
        lambda: services.staff_update(
            member=member,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        ),
        success=_("The changes were saved."),
        template="peerprogram/staff_form.html",
        context={"member": member},
    )


# Peer workers ------------------------------------------------------------------


@require_GET
def peer_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require(access.get_actor(request.user).manages_units)
    units = access.units_for(request.user)
    peer_filter = PeerFilter(
        request.GET,
        queryset=selectors.peers_with_mentors(access.peers_for(request.user)).order_by(
            "staff_member__name", "pk"
        ),
        units=units,
    )
    page = page_of(request, peer_filter.qs)
    return render(
        request,
        "peerprogram/peer_list.html",
        {"filter": peer_filter, "page": page, "rows": presenters.peer_rows(page.object_list)},
    )


@require_http_methods(["GET", "POST"])
def peer_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require(access.get_actor(request.user).manages_units)
    units = access.editable_units_for(request.user)
    initial = {"unit": _preselected_unit(request, units)}
    person = PeerStaffForm(request.POST or None, prefix="person", units=units, initial=initial)
    employment = PeerWorkerForm(request.POST or None, prefix="employment")
    if request.method == "POST" and person.is_valid() and employment.is_valid():
        peer = apply_service(
            employment,
            lambda: services.peer_create(
                by=request.user, **person.changes(), **employment.changes()
            ),
        )
        if peer:
            messages.success(
                request, _("%(name)s was registered as peer worker.") % {"name": peer.name}
            )
            for warning in (peer.hours_warning, peer.employment_form_warning):
                if warning:
                    messages.warning(request, warning)
            return redirect(peer)
    return render(
        request, "peerprogram/peer_form.html", {"person": person, "employment": employment}
    )


@require_http_methods(["GET", "POST"])
def peer_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    peer = access.get_peer_for_edit(request.user, pk)
    form = PeerWorkerForm(request.POST or None, instance=peer)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        saved = apply_service(
            form,
            lambda: services.peer_update(
                peer=peer, by=request.user, expected_version=version, **form.changes()
            ),
        )
        if saved:
            messages.success(request, _("The changes were saved."))
            for warning in (saved.hours_warning, saved.employment_form_warning):
                if warning:
                    messages.warning(request, warning)
            return redirect(saved)
    return render(request, "peerprogram/peer_edit.html", {"form": form, "peer": peer})


# Import and export -------------------------------------------------------------


def _unit_resource(request: AuthenticatedHttpRequest) -> UnitResource:
    return UnitResource()


def _staff_resource(request: AuthenticatedHttpRequest) -> StaffResource:
    actor = access.get_actor(request.user)
    return StaffResource(
        units=access.editable_units_for(request.user), may_set_centre=actor.sees_programme
    )


class ImportSpec(TypedDict):
    resource: Callable[[AuthenticatedHttpRequest], ScopedResource]
    allowed: Callable[[access.RequestUser], bool]
    list_url: str


IMPORTS: dict[str, ImportSpec] = {
    "units": {
        "resource": _unit_resource,
        "allowed": access.can_create_unit,
        "list_url": "peerprogram:unit_list",
    },
    "staff": {
        "resource": _staff_resource,
        "allowed": lambda user: access.get_actor(user).manages_units,
        "list_url": "peerprogram:staff_list",
    },
}


IMPORT_HELP = {
    "units": _lazy(
        "“kind” is one of: inpatient ward, outpatient clinic, F-ACT team, municipal service, "
        "other. “leader” is the leader's e-mail address (optional)."
    ),
    "staff": _lazy(
        "“unit” is the unit's exact name; “profession” is for example nurse, psychologist or "
        "peer worker. “centre_staff” and “active” take ja or nej."
    ),
}
IMPORT_TITLES = {"units": _lazy("Import units"), "staff": _lazy("Import staff")}


@require_http_methods(["GET", "POST"])
def data_import(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    spec = IMPORTS[kind]
    access.require(spec["allowed"](request.user))
    return import_page(
        request,
        resource_factory=lambda: spec["resource"](request),
        import_key=f"import:{kind}",
        label=kind,
        title=IMPORT_TITLES[kind],
        help_text=IMPORT_HELP[kind],
        done_url=reverse(spec["list_url"]),
    )


def import_page(
    request: AuthenticatedHttpRequest,
    *,
    resource_factory: Callable[[], ScopedResource],
    import_key: str,
    label: str,
    title: StrOrPromise,
    help_text: StrOrPromise,
    done_url: str,
) -> HttpResponse:
    """Upload → checked preview → confirm. The checked file waits in a CheckedImport row
    (imports.keep_checked), and the confirmation names the file's digest so that only the
    previewed file is imported."""
    form = ImportUploadForm()
    context: dict[str, Any] = {
        "form": form,
        "title": title,
        "help_text": help_text,
        "columns": resource_factory().get_export_headers(),
        "done_url": done_url,
    }
    if request.method == "POST" and "confirm" in request.POST:
        stored = take_checked(
            user=request.user, kind=import_key, digest=request.POST.get("digest", "")
        )
        if stored is None:
            messages.error(request, _("The checked file is no longer available. Upload it again."))
            return redirect(request.path)
        name, content = stored
        parsed = read_dataset(content, name)
        report = run_import(
            resource=resource_factory(),
            parsed=parsed,
            dry_run=False,
            by=request.user,
            label=label,
        )
        if report.ok:
            messages.success(
                request,
                _("Import done: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.")
                % {"new": report.new, "updated": report.updated, "unchanged": report.unchanged},
            )
            return redirect(done_url)
        context.update(report=report, filename=name)
    elif request.method == "POST":
        forget_checked(user=request.user, kind=import_key)  # a new upload replaces it
        form = ImportUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            try:
                parsed = read_dataset(content, upload.name)
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                report = run_import(
                    resource=resource_factory(),
                    parsed=parsed,
                    dry_run=True,
                    by=request.user,
                    label=label,
                )
                if report.ok:
                    context["digest"] = keep_checked(
                        user=request.user, kind=import_key, name=upload.name, content=content
                    )
                context.update(report=report, filename=upload.name)
    return render(request, "peerprogram/import.html", context)


@require_GET
def data_export(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    actor = access.get_actor(request.user)
    access.require(actor.manages_units)
    resource: ScopedResource
    queryset: QuerySet[Unit] | QuerySet[StaffMember]
    if kind == "units":
        resource = UnitResource()
        queryset = access.units_for(request.user).order_by("name")
    else:
        resource = _staff_resource(request)
        queryset = (
            access.staff_for(request.user)
            .filter(unit__in=access.units_for(request.user))
            .order_by("unit__name", "name")
        )
    file_format = request.GET.get("format", "xlsx")
    if file_format not in ("csv", "xlsx"):
        file_format = "xlsx"
    stamp = timezone.localdate().isoformat()
    dataset = resource.export(queryset=queryset)
    # Danish headings and sheet name; the import reads them back (imports.read_dataset).
    dataset.headers = [HEADINGS.get(h, h) for h in dataset.headers]
    dataset.title = SHEET_NAMES[kind]
    return spreadsheet_response(dataset, f"{kind}-{stamp}", file_format)


def spreadsheet_response(dataset: tablib.Dataset, name: str, file_format: str) -> HttpResponse:
    """A download of a tablib dataset as CSV (UTF-8 with BOM, for Excel) or XLSX, with
    cells that look like formulas escaped."""
    dataset = escape_for_spreadsheet(dataset)
    if file_format == "csv":
        body, content_type = dataset.export("csv").encode("utf-8-sig"), "text/csv; charset=utf-8"
    else:
        file_format = "xlsx"
        body = dataset.export("xlsx")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


RETRY_AFTER_SECONDS = 30
# A busy database frees up within seconds: every write waits its turn for up to the busy
# timeout (settings, "The embedded database") before it gives up.
BUSY_RETRY_AFTER_SECONDS = 5


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500; when the database cannot be reached, a 503 page that says so, and when
    it is too busy to take a write in time, a 503 page that says to try again.

    Django calls this inside the `except` block of the failed request, so the error is in
    sys.exc_info(). Both pages are rendered without the request: the context processors
    would read the user, and so the database. The 503 page's language comes from the
    language cookie.
    """
    import sys

    from django.conf import settings
    from django.http import HttpResponseServerError
    from django.template.loader import render_to_string
    from django.utils import translation

    # Not {% static %}: a missing manifest entry would break the error page as well.
    context = {"stylesheet": f"{settings.STATIC_URL}css/peerprogram.css"}
    error = sys.exc_info()[1]
    busy = _database_busy(error)
    if not busy and not _database_unreachable(error):
        return HttpResponseServerError(render_to_string("500.html", context))
    language = _cookie_language(request)
    with translation.override(language):
        body = render_to_string(
            "503.html",
            {
                **context,
                "busy": busy,
                "language": language,
                "retry_url": request.get_full_path(),
            },
        )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS if busy else RETRY_AFTER_SECONDS)
    return response


def _cookie_language(request: HttpRequest) -> str:
    """The language chosen in the cookie, or Danish: error pages read no session or user."""
    from django.conf import settings

    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _plain_error_page(
    request: HttpRequest, template: str, status: int, **extra: object
) -> HttpResponse:
    """An error page rendered without the request's context processors (they would read
    the user, and so the database, which may be what failed), in the cookie's language."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation

    language = _cookie_language(request)
    with translation.override(language):
        body = render_to_string(
            template,
            {
                "stylesheet": f"{settings.STATIC_URL}css/peerprogram.css",
                "language": language,
                **extra,
            },
        )
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: a request Django refused (a session that could not be saved because the
    database went away, a malformed request): a Danish page instead of "Bad Request (400)"."""
    return _plain_error_page(request, "400.html", 400, retry_url=request.get_full_path())


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from a page that was open too long, or after logging
    in elsewhere, in plain words (Django's own page is English and technical)."""
    return _plain_error_page(request, "403_csrf.html", 403, retry_url=request.get_full_path())


def _causes(error: BaseException | None) -> Iterator[BaseException]:
    """The error and the ones it was raised from."""
    for _step in range(10):  # a chain of causes is short; this also stops a cycle
        if error is None:
            return
        yield error
        error = error.__cause__ or error.__context__


def _database_unreachable(error: BaseException | None) -> bool:
    """The error, or one it was raised from, is Django's error for a lost connection."""
    from django.db.utils import InterfaceError, OperationalError

    return any(isinstance(e, (OperationalError, InterfaceError)) for e in _causes(error))


def _database_busy(error: BaseException | None) -> bool:
    """SQLite's "database is locked": another write held the database for longer than the
    busy timeout. Django raises it as an OperationalError from the driver's error."""
    import sqlite3

    busy = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return any(
        isinstance(e, sqlite3.Error) and (getattr(e, "sqlite_errorcode", 0) & 0xFF) in busy
        for e in _causes(error)
    )
