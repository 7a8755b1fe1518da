"""The checklist lists' markup, written in Python (see peerprogram.html for why); each
function returns safe HTML, built by peerprogram.html."""

from __future__ import annotations

from django.utils.translation import gettext as _

from peerprogram.html import element, join, short_date, url_of

from .selectors import Progress


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
                element("td", onboarding.unit.name),
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
