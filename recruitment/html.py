"""The checklist lists' markup, written in Python (see peerprogram.html for why); each
function returns safe HTML, built by peerprogram.html."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from peerprogram.html import choice_label, csrf_input, element, join, number, short_date, url_of

from .models import Responsible
from .selectors import ItemStatus, Progress


def progress_bar(p: Progress) -> str:
    """A checklist's progress: the bar, and done of all as figures."""
    return element(
        "div",
        element(
            "progress",
            f"{p.percent} %",
            class_="pp-progress flex-grow-1",
            value=p.done,
            max=p.total,
            aria_label=_("Progress"),
        ),
        element("span", f"{p.done}/{p.total}", class_="small text-nowrap"),
        class_="d-flex align-items-center gap-2",
    )


def overview_rows(rows: list[Progress]) -> str:
    """The rows of the checklist overview: one checklist a row, overdue ones marked."""
    vacancy = element("span", _("vacancy"), class_="badge text-bg-light")
    all_done = _("All done")
    checklist_url = url_of("recruitment:checklist")
    html = []
    for p in rows:
        onboarding = p.onboarding
        name = element("a", onboarding.label, href=checklist_url(onboarding.pk))
        if p.next_open:
            due = short_date(p.next_open.due)
            next_task = join(
                [
                    p.next_open.item.title,
                    " ",
                    element("span", f"({due})", class_="text-nowrap text-body-secondary"),
                ]
            )
        else:
            next_task = all_done
        html.append(
            element(
                "tr",
                element("td", name, None if onboarding.peer_id else join([" ", vacancy])),
                element("td", onboarding.unit_name),
                element(
                    "td",
                    short_date(onboarding.start_date),
                    class_="text-nowrap",
                ),
                element("td", progress_bar(p)),
                element(
                    "td",
                    element("span", p.overdue, class_="badge text-bg-danger") if p.overdue else "0",
                    class_="text-end",
                ),
                element("td", next_task, class_="small"),
                class_="table-warning" if p.overdue else None,
            )
        )
    return join(html)


def checklist_rows(
    statuses: list[ItemStatus], *, onboarding, csrf_token: str, error: str = ""
) -> str:
    """The rows of a checklist: a task a row, ticked here (unless read from a fact), with
    what it is, who, when, its state and a link to change it. `error` is shown in every
    row given (the toggle answers with its own row only)."""
    toggle_url = url_of("recruitment:checklist_item_toggle")
    edit_url = url_of("recruitment:checklist_item_edit")
    token = csrf_input(csrf_token)
    fact_title = _("Read from the fact; not ticked by hand.")
    recorded, automatic = f"✓ {_('recorded')}", _("automatic")
    unit_task = element("span", _("unit task"), class_="badge text-bg-light")
    read_more = element("em", _("Read more:"))
    changed = element("span", "✎", title=_("Changed by hand"))
    overdue = element("span", _("Overdue"), class_="badge text-bg-danger")
    not_relevant = element(
        "span", _("Not relevant: hired outside Peerprogram"), class_="text-body-secondary"
    )
    still_open = element("span", _("Open"), class_="text-body-secondary")
    appoint = None
    if onboarding is not None and onboarding.peer_id:
        appoint = element(
            "a",
            _("Appoint mentor"),
            href=reverse("mentoring:mentor_assign", args=[onboarding.peer_id]),
        )
    html = []
    for s in statuses:
        item, state = s.item, s.state
        if s.derived or state == "na":
            tick = element(
                "span",
                recorded if state == "done" else automatic,
                class_="small text-body-secondary",
                title=fact_title,
            )
        else:
            url = toggle_url(item.pk)
            if s.done_on:
                done, button = (
                    "0",
                    element(
                        "button",
                        f"✓ {_('Done')}",
                        type="submit",
                        class_="btn btn-sm btn-success",
                        aria_pressed="true",
                        aria_label=_("Mark “%(t)s” as not done") % {"t": item.title},
                    ),
                )
            else:
                done, button = (
                    "1",
                    element(
                        "button",
                        _("Tick"),
                        type="submit",
                        class_="btn btn-sm btn-outline-secondary",
                        aria_pressed="false",
                        aria_label=_("Mark “%(t)s” as done") % {"t": item.title},
                    ),
                )
            tick = element(
                "form",
                token,
                element("input", type="hidden", name="version", value=number(item.version)),
                element("input", type="hidden", name="done", value=done),
                button,
                method="post",
                action=url,
                hx_post=url,
                hx_target=f"#item-{item.pk}",
                hx_swap="outerHTML",
            )
        task = [element("span", item.title, class_="fw-semibold")]
        if item.unit_specific:
            task += [" ", unit_task]
        if item.description:
            task.append(element("div", item.description, class_="small text-body-secondary"))
        if item.guide_reference:
            task.append(element("div", read_more, " ", item.guide_reference, class_="small"))
        if item.note:
            task.append(element("div", f"📝 {item.note}", class_="small"))
        if error:
            task.append(element("div", error, class_="small text-danger", role="alert"))
        due = [short_date(s.due)]
        if item.due_override:
            due += [" ", changed]
        if state == "done":
            status = [
                element(
                    "span",
                    _("Done %(date)s") % {"date": short_date(s.done_on)},
                    class_="text-success",
                )
            ]
            if s.done_by:
                status += [element("br"), element("span", s.done_by, class_="text-body-secondary")]
        elif state == "overdue":
            status = [overdue]
        elif state == "na":
            status = [not_relevant]
        else:
            status = [still_open]
        if s.derived and state not in ("done", "na"):
            status += [element("br"), element("span", s.derived_hint, class_="text-body-secondary")]
            if item.derived_from == "mentor_appointed" and appoint is not None:
                status += [element("br"), appoint]
        html.append(
            element(
                "tr",
                element("td", tick),
                element("td", *task),
                element("td", choice_label(Responsible, item.responsible), class_="small"),
                element("td", *due, class_="text-nowrap small"),
                element("td", *status, class_="small"),
                element(
                    "td",
                    element(
                        "a",
                        _("Edit"),
                        element("span", f": {item.title}", class_="visually-hidden"),
                        class_="small",
                        href=edit_url(item.pk),
                    ),
                ),
                id=f"item-{item.pk}",
                class_=f"state-{state}",
                data_testid="item",
            )
        )
    return join(html)
