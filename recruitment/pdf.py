"""PDFs with WeasyPrint: A4, Danish, page numbers "Side X af Y", who and when."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation


def pdf_response(request: HttpRequest, template: str, context: dict, filename: str) -> HttpResponse:
    from weasyprint import HTML  # imported here: loading Pango is slow and only PDFs need it

    actor_name = getattr(getattr(request.user, "staff_member", None), "name", "") or (
        request.user.get_username()
    )
    # The PDFs are Danish documents, whatever language the page is shown in.
    with translation.override("da"):
        html = render_to_string(
            template,
            {**context, "generated_at": timezone.localtime(), "generated_by": actor_name},
            request=request,
        )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
