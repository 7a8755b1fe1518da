"""The rows of the checklist tables as their templates show them: one presenter per row,
built in the view from what the selectors return (templates/recruitment/
checklist_overview.html and _checklist_rows.html; the progress bar is _progress.html)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from peerprogram.presenters import id_url, labels, short_date

from .models import DerivedFrom, Onboarding, Responsible, Vacancy
from .selectors import ItemStatus, ListedOnboarding, Progress


@dataclass(frozen=True, slots=True)
class OverviewRow:
    """A checklist in the overview: whose, its progress and the next task due."""

    url: str
    label: str
    is_vacancy: bool  # not yet a peer worker's
    unit_name: str
    start_date: datetime.date
    progress: Progress
    overdue: int
    next_task: str  # the title of the open task due first; empty when all are done
    next_due: datetime.date | None


def overview_rows(rows: Iterable[Progress]) -> list[OverviewRow]:
    """The overview's rows from selectors.onboarding_progress."""
    url = id_url("recruitment:checklist")
    return [
        OverviewRow(
            url=url(p.onboarding.pk),
            label=p.onboarding.label,
            is_vacancy=not p.onboarding.peer_id,
            unit_name=p.onboarding.unit_name,
            start_date=p.onboarding.start_date,
            progress=p,
            overdue=p.overdue,
            next_task=p.next_open.item.title if p.next_open else "",
            next_due=p.next_open.due if p.next_open else None,
        )
        for p in rows
    ]


@dataclass(frozen=True, slots=True)
class ChecklistRow:
    """A task of a checklist: ticked on the page unless it is read from a fact."""

    pk: int
    state: str  # done, overdue, open or na (not relevant)
    title: str
    unit_specific: bool
    description: str
    guide_reference: str
    note: str
    responsible: str
    due: datetime.date
    due_changed: bool  # the due date was set by hand
    done_on: datetime.date | None
    done_text: str  # "Done <date>", when it is
    done_by: str
    version: int
    toggle_url: str  # empty when the task is read from a fact or not relevant
    edit_url: str
    derived_hint: str  # what makes an open task read from a fact done; else empty
    action_url: str  # where to do what a task read from a fact waits for (else empty)
    action_label: str


def checklist_rows(
    statuses: Iterable[ItemStatus], onboarding: Onboarding | ListedOnboarding
) -> list[ChecklistRow]:
    """The rows of a checklist's tasks (selectors.onboarding_detail's statuses)."""
    toggle_url = id_url("recruitment:checklist_item_toggle")
    edit_url = id_url("recruitment:checklist_item_edit")
    responsible = labels(Responsible)
    # Where to do what a task read from a fact waits for, and the link's words.
    actions: dict[str, tuple[str, str]] = {}
    if onboarding.peer_id:
        actions = {
            DerivedFrom.MENTOR_APPOINTED: (
                reverse("mentoring:mentor_assign", args=[onboarding.peer_id]),
                _("Appoint mentor"),
            ),
            DerivedFrom.EDUCATION_ENROLLED: (
                reverse("education:enrol_next", args=[onboarding.peer_id]),
                _("Enrol in the peer education"),
            ),
            DerivedFrom.FUNCTION_AGREED: (
                reverse("employment:function_page", args=[onboarding.peer_id]),
                _("Go to the function description"),
            ),
            DerivedFrom.LEAFLET_MADE: (
                reverse("employment:leaflet", args=[onboarding.peer_id]),
                _("Go to the leaflet"),
            ),
        }
    rows = []
    for s in statuses:
        item, state = s.item, s.state
        waits = s.derived and state not in ("done", "na")
        action = actions.get(item.derived_from, ("", "")) if waits else ("", "")
        rows.append(
            ChecklistRow(
                pk=item.pk,
                state=state,
                title=item.title,
                unit_specific=item.unit_specific,
                description=item.description,
                guide_reference=item.guide_reference,
                note=item.note,
                responsible=(
                    assignee.name
                    if (assignee := getattr(item, "assignee", None)) is not None
                    else responsible.get(item.responsible, item.responsible)
                ),
                due=s.due,
                due_changed=bool(item.due_override),
                done_on=s.done_on,
                done_text=(
                    _("Done %(date)s") % {"date": date_format(s.done_on, "SHORT_DATE_FORMAT")}
                    if state == "done" and s.done_on is not None
                    else ""
                ),
                done_by=s.done_by,
                version=item.version,
                toggle_url="" if s.derived or state == "na" else toggle_url(item.pk),
                edit_url=edit_url(item.pk),
                derived_hint=s.derived_hint if waits else "",
                action_url=action[0],
                action_label=action[1],
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class VacancyRow:
    url: str
    title: str
    unit: str
    hours_per_week: int
    application_deadline: str  # written in the short date format
    planned_start_date: str
    status: str
    status_label: str
    active_applicants: int
    applicants: int


def vacancy_rows(
    vacancies: Iterable[dict[str, Any]], counts: dict[int, tuple[int, int]]
) -> list[VacancyRow]:
    """A page of the vacancy list: selectors.vacancy_list's rows, and their applicants
    (selectors.applicant_counts: still in the process, all)."""
    url = id_url("recruitment:vacancy_detail")
    status = labels(Vacancy.Status)
    rows = []
    for v in vacancies:
        active, every = counts.get(v["pk"], (0, 0))
        rows.append(
            VacancyRow(
                url=url(v["pk"]),
                title=v["title"],
                unit=v["unit__name"],
                hours_per_week=v["hours_per_week"],
                application_deadline=short_date(v["application_deadline"]),
                planned_start_date=short_date(v["planned_start_date"]),
                status=v["status"],
                status_label=status[v["status"]],
                active_applicants=active,
                applicants=every,
            )
        )
    return rows
