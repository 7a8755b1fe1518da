"""The yearly report: the Centre's for the programme, and a unit's status report for its
leader and the Centre. A page, an A4 PDF and a spreadsheet of the same figures."""

from __future__ import annotations

import tablib
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peerprogram import access
from peerprogram.access import AuthenticatedHttpRequest
from peerprogram.pdf import pdf_response
from peerprogram.views import int_or_zero, spreadsheet_response

from . import figures, presenters


def _year(request: AuthenticatedHttpRequest) -> int:
    this = timezone.localdate().year
    year = int_or_zero(request.GET.get("year")) or this
    return min(max(year, figures.FIRST_YEAR), this)


def _context(report: figures.Report) -> dict:
    return {
        "report": report,
        "sections": presenters.sections(report),
        "hours_chart": presenters.hours_chart(report),
        "chime_chart": presenters.chime_chart(report),
        "years": range(report.today.year, figures.FIRST_YEAR - 1, -1),
    }


def _programme(request: AuthenticatedHttpRequest) -> figures.Report:
    access.require(access.get_actor(request.user).sees_programme)
    return figures.report(None, _year(request))


def _unit(request: AuthenticatedHttpRequest, pk: int) -> figures.Report:
    """A unit's: its leader and the Centre (access.get_unit_for: others 404)."""
    unit = access.get_unit_for(request.user, pk)
    return figures.report(unit, _year(request))


def _name(report: figures.Report) -> str:
    who = slugify(report.unit.name) if report.unit else _("programme")
    return f"{_('report')}-{who}-{report.this.period.year}"


def _dataset(report: figures.Report) -> tablib.Dataset:
    headers = [
        _("Section"),
        _("Figure"),
        str(report.this.period.year),
        str(report.before.period.year),
        _("Note"),
    ]
    data = tablib.Dataset(headers=headers, title=str(report.this.period.year))
    for section in presenters.sections(report):
        for line in section.lines:
            data.append(
                [str(section.title), str(line.label), line.this, line.before, str(line.note)]
            )
    return data


@require_GET
def programme_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "peerprogram/report.html", _context(_programme(request)))


@require_GET
def programme_report_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    report = _programme(request)
    return pdf_response(
        request, "peerprogram/pdf/report.html", _context(report), _name(report) + ".pdf"
    )


@require_GET
def programme_report_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    report = _programme(request)
    return spreadsheet_response(_dataset(report), _name(report), "xlsx")


@require_GET
def unit_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return render(request, "peerprogram/report.html", _context(_unit(request, pk)))


@require_GET
def unit_report_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _unit(request, pk)
    return pdf_response(
        request, "peerprogram/pdf/report.html", _context(report), _name(report) + ".pdf"
    )


@require_GET
def unit_report_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _unit(request, pk)
    return spreadsheet_response(_dataset(report), _name(report), "xlsx")
