"""The cohort report as a page, a spreadsheet and a PDF: one set of figures for all three."""

from __future__ import annotations

import tablib
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .models import Cohort, Enrolment


def report_context(cohort: Cohort) -> dict:
    sessions = selectors.cohort_sessions(cohort)
    enrolments = list(selectors.cohort_enrolments(cohort))
    seats = [e for e in enrolments if e.status == Enrolment.Status.ENROLLED]
    participations = selectors.participations(seats)
    completed = sum(1 for p in participations if p.completed_on)
    fees = selectors.fees(cohort, enrolments)
    return {
        "cohort": cohort,
        "sessions": sessions,
        "participations": participations,
        "waiting": [e for e in enrolments if e.status == Enrolment.Status.WAITING],
        "fees": fees,
        "fee_total": sum(f.total for f in fees),
        "completed": completed,
        "today": timezone.localdate(),
    }


def report_dataset(cohort: Cohort) -> tablib.Dataset:
    context = report_context(cohort)
    sessions = context["sessions"]
    headers = [_("Participant"), _("Unit or organisation"), _("External")]
    for s in sessions:
        headers += [
            _("Module %(n)s day 1") % {"n": s.module.number},
            _("Module %(n)s day 2") % {"n": s.module.number},
        ]
    headers += [
        _("Modules attended"),
        _("Completed"),
        _("Completed by hand, reason"),
        _("Fee (DKK)"),
    ]
    data = tablib.Dataset(headers=headers)
    for p in context["participations"]:
        e = p.enrolment
        row = [e.participant_name, e.organisation, _("yes") if e.is_external else _("no")]
        for _session, day1, day2 in p.grid():
            row += [_("present") if day1 else "", _("present") if day2 else ""]
        row += [
            p.modules_attended,
            p.completed_on.isoformat() if p.completed_on else "",
            e.completion_reason,
            cohort.fee_dkk,
        ]
        data.append(row)
    return data
