"""A cohort's participants, written in Python (see peerprogram.html for why): a cohort of
50 with three actions a row spent more than half its page in the template language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from peerprogram.html import csrf_input, element, join, short_date, url_of

from .models import Cohort, Enrolment
from .selectors import Participation


def participant_rows(
    rows: list[tuple[Enrolment, Participation, bool]],
    *,
    cohort: Cohort,
    runs: bool,
    led_unit_ids: frozenset[int],
    csrf_token: str,
    hired_before_months: int,
) -> str:
    """A seat a row: the participant (linked when a peer worker; marked when hired late),
    unit, modules attended, completion, and the actions the user may take."""
    peer_url = url_of("peerprogram:peer_detail")
    mentor_url = url_of("education:enrolment_mentor")
    complete_url = url_of("education:enrolment_complete")
    cancel_url = url_of("education:enrolment_cancel")
    external = element("span", _("external"), class_="badge text-bg-light border")
    late_note = element(
        "div",
        "⚠ " + _("Hired less than %(n)s months before the start") % {"n": hired_before_months},
        class_="small text-warning-emphasis",
    )
    attended_label, by_hand = _("Modules attended"), f"({_('marked by hand')})"
    mentor_text, completion_text = _("Mentor on modules"), _("Completion")
    token = csrf_input(csrf_token)
    cancel_button = element(
        "button", _("Cancel seat"), class_="btn btn-sm btn-outline-danger", type="submit"
    )
    cohort_open = cohort.status != Cohort.Status.COMPLETED
    html = []
    for e, p, late in rows:
        if e.peer:
            name = [element("a", e.participant_name, href=peer_url(e.peer_id))]
        else:
            name = [e.participant_name, " ", external]
        modules, attended = len(p.sessions), p.modules_attended
        if p.completed_on:
            completed = [element("span", f"✓ {short_date(p.completed_on)}", class_="text-success")]
            if p.completed_by_hand:
                completed += [
                    " ",
                    element(
                        "span",
                        by_hand,
                        class_="small text-body-secondary",
                        title=e.completion_reason,
                    ),
                ]
        else:
            completed = ["–"]
        own_unit = bool(e.peer) and e.peer.staff_member.unit_id in led_unit_ids
        actions = []
        if (e.peer and runs) or own_unit:
            actions.append(
                element(
                    "a",
                    mentor_text,
                    class_="btn btn-sm btn-outline-secondary",
                    href=mentor_url(e.pk),
                )
            )
        if runs:
            actions.append(
                element(
                    "a",
                    completion_text,
                    class_="btn btn-sm btn-outline-secondary",
                    href=complete_url(e.pk),
                )
            )
        if cohort_open and (runs or own_unit):
            actions.append(
                element(
                    "form",
                    token,
                    cancel_button,
                    method="post",
                    action=cancel_url(e.pk),
                    class_="d-inline",
                )
            )
        html.append(
            element(
                "tr",
                element("td", *name, late_note if late else None),
                element("td", e.organisation),
                element(
                    "td",
                    element(
                        "progress",
                        class_="pp-progress",
                        max=modules,
                        value=attended,
                        aria_label=attended_label,
                    ),
                    f" {attended} / {modules}",
                ),
                element("td", *completed),
                # The buttons apart as the browser spaces inline elements.
                element("td", join(actions, " "), class_="text-end text-nowrap"),
            )
        )
    return join(html)
