"""The mentoring overview's rows, written in Python (see peerprogram.html for why)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from peerprogram.html import element, join, number, short_date, url_of

from .selectors import Health


def overview_rows(rows: list[Health]) -> str:
    """A mentorship a row: the peer worker (linked), unit, mentor, since when, the share of
    check-ins held, the last and next, and the warning; warned rows marked."""
    mentorship_url = url_of("mentoring:mentorship_detail")
    six_months = join([element("br"), _("Six months have passed: continue monthly or end?")])
    html = []
    for h in rows:
        m = h.mentorship
        if h.share_held is None:
            share = "–"
        else:
            counts = element(
                "span", f"({number(h.held)}/{number(h.due)})", class_="small text-body-secondary"
            )
            share = join([f"{number(h.share_held)} % ", counts])
        warning = element("span", h.warning, class_="text-danger") if h.warning else None
        html.append(
            element(
                "tr",
                element("td", element("a", m.peer.name, href=mentorship_url(m.pk))),
                element("td", m.peer.unit.name),
                element("td", m.mentor.name),
                element("td", short_date(m.start_date), class_="text-nowrap"),
                element("td", share, class_="text-end text-nowrap", data_testid="share"),
                element(
                    "td", short_date(h.last_held) if h.last_held else "–", class_="text-nowrap"
                ),
                element(
                    "td", short_date(h.next_date) if h.next_date else "–", class_="text-nowrap"
                ),
                element("td", warning, six_months if h.six_months_over else None, class_="small"),
                class_="table-warning" if h.warning else None,
            )
        )
    return join(html)
