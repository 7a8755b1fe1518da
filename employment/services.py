"""Writes for function descriptions: the Centre's template, drafts, agreements, revisions.

Keyword-only, atomic, validated, audited, like every service of the house."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from peerprogram.models import PeerWorker
from peerprogram.services import ConcurrentEditError, audit, save_versioned

from .models import (
    HOURS_FIELDS,
    TEXT_FIELDS,
    ContactRoute,
    FunctionDescription,
    FunctionTemplate,
    TaskKind,
    hours_field,
    proposed_review,
)
from .selectors import DRAFT

DESCRIPTION_FIELDS = [
    *TEXT_FIELDS,
    *HOURS_FIELDS,
    "other_tasks",
    "contact_routes",
    "review_on",
]


def template_current() -> FunctionTemplate:
    """The Centre's template (written by the migrations; one row)."""
    return FunctionTemplate.objects.get(pk=1)


@transaction.atomic
def template_update(
    *, template: FunctionTemplate, by: User, expected_version: int, changes: dict[str, Any]
) -> FunctionTemplate:
    changes = {**changes, "updated_at": timezone.now(), "updated_by": by}
    summary = save_versioned(template, expected_version=expected_version, changes=changes)
    audit(by=by, action="function_template_update", obj=template, summary=summary)
    return template


def draft_start_values(peer: PeerWorker, today: Any = None) -> dict[str, Any]:
    """What a new draft starts from: the revision in force (or the newest), else the
    Centre's template; the review date the guides' rhythm proposes."""
    today = today or timezone.localdate()
    newest = peer.function_descriptions.order_by("-number").first()
    if newest is not None:
        values = {name: getattr(newest, name) for name in DESCRIPTION_FIELDS}
    else:
        template = template_current()
        values = {name: getattr(template, name) for name in TEXT_FIELDS}
        values.update(dict.fromkeys(HOURS_FIELDS, 0))
        values["contact_routes"] = []
    values["review_on"] = proposed_review(peer, today)
    return values


def problems(description: FunctionDescription) -> dict[str, list[str]]:
    """The rules of a description beyond its fields' own: field name -> errors."""
    errors: dict[str, list[str]] = {}
    hours = description.peer.hours_per_week
    total = sum(getattr(description, name) or 0 for name in HOURS_FIELDS)
    if total == 0:
        errors.setdefault(hours_field(TaskKind.CONVERSATIONS), []).append(
            _("Give at least one task its hours a week.")
        )
    elif total > hours:
        errors.setdefault(hours_field(TaskKind.CONVERSATIONS), []).append(
            _(
                "The tasks add up to %(total)s hours a week, more than the peer worker's "
                "%(hours)s hours."
            )
            % {"total": total, "hours": hours}
        )
    if description.hours_other and not description.other_tasks.strip():
        errors.setdefault("other_tasks", []).append(
            _("Say what the hours for other tasks are spent on.")
        )
    routes = description.contact_routes
    if not isinstance(routes, list) or not routes:
        errors.setdefault("contact_routes", []).append(
            _("Choose at least one way colleagues bring patients and the peer worker together.")
        )
    elif any(route not in ContactRoute.values for route in routes):
        errors.setdefault("contact_routes", []).append(_("Choose among the listed ways."))
    return errors


def _check(description: FunctionDescription) -> None:
    """Every rule of a description at once, each on its field."""
    errors: dict[str, list[str]] = {}
    try:
        description.full_clean(exclude=["peer", "number", "created_by", "leader_agreed_by"])
    except ValidationError as exc:
        errors.update({k: list(v) for k, v in exc.message_dict.items()})
    for field, found in problems(description).items():
        errors.setdefault(field, []).extend(found)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def description_create(*, peer: PeerWorker, by: User | None, **values: Any) -> FunctionDescription:
    """A new draft: the first description of a peer worker, or a revision of the one in
    force. Refused while another draft exists."""
    PeerWorker.objects.select_for_update().filter(pk=peer.pk).first()
    if peer.function_descriptions.filter(DRAFT).exists():
        raise ValidationError(_("This peer worker already has a draft: finish or change that one."))
    number = (peer.function_descriptions.aggregate(n=Max("number"))["n"] or 0) + 1
    description = FunctionDescription(peer=peer, number=number, created_by=by, **values)
    _check(description)
    description.save()
    audit(by=by, action="function_description_create", obj=description, summary=f"#{number}")
    return description


@transaction.atomic
def description_update(
    *, description: FunctionDescription, by: User, expected_version: int, changes: dict[str, Any]
) -> FunctionDescription:
    """Change a draft. A change takes back the agreements already given: each of the two
    agrees to the text as it stands."""
    if description.agreed:
        raise ValidationError(_("An agreed description is not changed: revise it instead."))
    for name, value in changes.items():
        setattr(description, name, value)
    _check(description)
    summary = save_versioned(description, expected_version=expected_version, changes=changes)
    if summary and (description.leader_agreed_on or description.peer_agreed_on):
        FunctionDescription.objects.filter(pk=description.pk).update(
            leader_agreed_on=None, leader_agreed_by=None, peer_agreed_on=None
        )
        description.leader_agreed_on = description.peer_agreed_on = None
        description.leader_agreed_by = None
        summary += "; " + "agreements taken back"
    audit(by=by, action="function_description_update", obj=description, summary=summary)
    return description


@transaction.atomic
def description_agree(
    *, description: FunctionDescription, by: User, role: str, expected_version: int
) -> FunctionDescription:
    """The leader or the peer worker agrees to the draft as they read it (its version)."""
    today = timezone.localdate()
    if role == "leader":
        fields: dict[str, Any] = {"leader_agreed_on": today, "leader_agreed_by": by}
    elif role == "peer":
        fields = {"peer_agreed_on": today}
    else:
        raise ValueError(role)
    updated = FunctionDescription.objects.filter(
        pk=description.pk, version=expected_version, **{f"{role}_agreed_on__isnull": True}
    ).update(**fields)
    if not updated:
        raise ConcurrentEditError
    for name, value in fields.items():
        setattr(description, name, value)
    audit(by=by, action=f"function_description_agree_{role}", obj=description)
    return description


@transaction.atomic
def description_discard(*, description: FunctionDescription, by: User) -> None:
    """Remove a draft nobody needs (an agreed revision is kept for good)."""
    if description.agreed:
        raise ValidationError(_("An agreed description is kept: revise it instead."))
    audit(by=by, action="function_description_discard", obj=description)
    description.delete()
