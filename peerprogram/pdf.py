"""PDFs with WeasyPrint: A4, Danish, page numbers "Side X af Y", who and when.

Every PDF of the product is a template under templates/<app>/pdf/ rendered by
`pdf_response`; the apps own their templates and what goes into them."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .access import get_actor


def pdf_response(request: HttpRequest, template: str, context: dict, filename: str) -> HttpResponse:
    from weasyprint import HTML  # imported here: loading Pango is slow and only PDFs need it

    # The actor is read once per request already; the user's own staff row only when the
    # actor has none (an administrator, or staff no longer active).
    staff = get_actor(request.user).staff or getattr(request.user, "staff_member", None)
    actor_name = getattr(staff, "name", "") or request.user.get_username()
    # The PDFs are Danish documents, whatever language the page is shown in.
    with translation.override("da"):
        html = render_to_string(
            template,
            {**context, "generated_at": timezone.localtime(), "generated_by": actor_name},
            request=request,
        )
    with _collector_paused():
        pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


_paused = {"depth": 0, "was_enabled": False}
_paused_lock = threading.Lock()


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while WeasyPrint lays out a document. It makes some
    hundred thousand objects that live for the render only; with the collector running they
    were promoted to the older generations, and the full collections over them made some
    PDFs markedly slower (docs/performance.md). Objects freed by reference counting go at once
    as always; the cycles left over are collected by the next ordinary collection. The
    switch is the whole process's: with several threads rendering, the first one in turns
    the collector off and the last one out turns it back on (if it was on)."""
    with _paused_lock:
        if _paused["depth"] == 0:
            _paused["was_enabled"] = gc.isenabled()
            gc.disable()
        _paused["depth"] += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused["depth"] -= 1
            if _paused["depth"] == 0 and _paused["was_enabled"]:
                gc.enable()
