"""The cohort report as a page, a spreadsheet and a PDF: one set of figures for all three."""

from __future__ import annotations

import tablib
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .models import Cohort, CohortModule, Enrolment


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
    data = tablib.Dataset(headers=headers, title=_("Cohort report")[:31])
    today = context["today"]
    # A day somebody was marked present on has had its attendance taken: the others
    # were absent. A day to come is not held yet; a past day nobody took is unknown.
    taken = {key for p in context["participations"] for key in p.present}

    def cell(session: CohortModule, number: int, present: bool) -> str:
        if present:
            return _("present")
        days = session.days
        if not days or days[number - 1] > today:
            return _("not held yet")
        if (session.pk, number) in taken:
            return _("absent")
        return _("attendance not taken")

    for p in context["participations"]:
        e = p.enrolment
        row = [e.participant_name, e.organisation, _("yes") if e.is_external else _("no")]
        for session, day1, day2 in p.grid():
            row += [cell(session, 1, day1), cell(session, 2, day2)]
        row += [
            p.modules_attended,
            p.completed_on.isoformat() if p.completed_on else "",
            e.completion_reason,
            cohort.fee_dkk,
        ]
        data.append(row)
    return data
