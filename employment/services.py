"""Writes for function descriptions: the Centre's template, drafts, agreements, revisions.

Keyword-only, atomic, validated, audited, like every service of the house."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from peerprogram.models import PeerWorker
from peerprogram.services import (
    ConcurrentEditError,
    RowEdits,
    audit,
    rows_save,
    save_versioned,
)

from .models import (
    HOURS_FIELDS,
    TEXT_FIELDS,
    ContactRoute,
    FollowUpRhythm,
    FunctionDescription,
    FunctionTemplate,
    OutsideTask,
    Presentation,
    StaffQuestion,
    Talk,
    TalkAction,
    TaskKind,
    hours_field,
    proposed_review,
)
from .selectors import DRAFT, Due

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


# The leader's follow-up ------------------------------------------------------------------


def talk_problems(
    *, peer: PeerWorker, kind: str, date: datetime.date | None, development: str
) -> dict[str, list[str]]:
    """The rules of a recorded talk beyond its fields' own: field name -> errors."""
    errors: dict[str, list[str]] = {}
    if date is not None:
        if date > timezone.localdate():
            errors["date"] = [
                _("A talk is recorded once it is held: the date cannot be later than today.")
            ]
        elif date < peer.start_date:
            errors["date"] = [_("The date is before the peer worker started.")]
    if (
        kind == Talk.Kind.MUS
        and date is not None
        and date >= peer.start_date + relativedelta(years=1)
        and not development.strip()
    ):
        errors["development"] = [
            _(
                "After the first year the MUS agrees a development and education plan: "
                "write down what was agreed."
            )
        ]
    return errors


@transaction.atomic
def talk_record(
    *,
    peer: PeerWorker,
    by: User | None,
    kind: str,
    date: datetime.date,
    how_it_goes: str = "",
    workload: str = "",
    wellbeing: int | None = None,
    development: str = "",
    actions: Iterable[tuple[str, str, datetime.date | None]] = (),
    done_actions: Iterable[TalkAction] = (),
) -> Talk:
    """A talk held: its record, the actions agreed in it (text, responsible, by when), and
    the earlier actions now done. A talk planned for another day becomes this one."""
    errors = talk_problems(peer=peer, kind=kind, date=date, development=development)
    if errors:
        raise ValidationError(errors)
    talk = peer.talks.filter(kind=kind, status=Talk.Status.PLANNED).first() or Talk(
        peer=peer, kind=kind
    )
    talk.date, talk.status, talk.reason = date, Talk.Status.HELD, ""
    talk.how_it_goes, talk.workload, talk.wellbeing = how_it_goes, workload, wellbeing
    talk.development, talk.recorded_by = development, by
    talk.full_clean()
    talk.save()
    new = [
        TalkAction(talk=talk, text=text, responsible=responsible, due=due)
        for text, responsible, due in actions
        if text.strip()
    ]
    for action in new:
        action.full_clean(exclude=["talk"])
    TalkAction.objects.bulk_create(new)
    TalkAction.objects.filter(
        pk__in=[a.pk for a in done_actions], talk__peer=peer, done_on__isnull=True
    ).update(done_on=date)
    # The talk's content stays out of the audit log: who recorded which talk, and when.
    audit(by=by, action="talk_record", obj=talk, summary=talk.kind)
    return talk


def talk_plan_problems(
    *, due: Due, date: datetime.date | None, time: datetime.time | None, reason: str
) -> dict[str, list[str]]:
    """The rules of planning the next talk of a kind: field name -> errors."""
    errors: dict[str, list[str]] = {}
    now = timezone.localtime()
    if date is not None:
        if date < now.date():
            errors["date"] = [_("Choose today or a later day.")]
        elif date == now.date() and time is not None and time < now.time():
            errors["time"] = [_("The time has passed today: choose a later time or day.")]
        elif date != due.computed and not reason.strip():
            errors["reason"] = [
                _("Say why the talk is held on another day than it is due (%(day)s).")
                % {"day": date_format(due.computed, "DATE_FORMAT") if due.computed else ""}
            ]
    return errors


@transaction.atomic
def talk_move(
    *,
    peer: PeerWorker,
    by: User,
    due: Due,
    date: datetime.date,
    time: datetime.time | None = None,
    reason: str = "",
) -> Talk:
    """The next talk of a kind planned for a day (and a time, which puts it in the
    calendars); on another day than the rhythm gives, with the reason."""
    errors = talk_plan_problems(due=due, date=date, time=time, reason=reason)
    if errors:
        raise ValidationError(errors)
    talk = peer.talks.filter(kind=due.kind, status=Talk.Status.PLANNED).first() or Talk(
        peer=peer, kind=due.kind
    )
    talk.date, talk.time, talk.reason, talk.recorded_by = date, time, reason, by
    talk.full_clean()
    talk.save()
    audit(by=by, action="talk_move", obj=talk, summary=f"{due.kind} {date:%Y-%m-%d}")
    return talk


@transaction.atomic
def talk_cancel(*, peer: PeerWorker, by: User, kind: str, date: datetime.date, reason: str) -> Talk:
    """The talk due on `date` will not be held; the rhythm goes on from that day."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the talk is cancelled.")]})
    talk = peer.talks.filter(kind=kind, status=Talk.Status.PLANNED).first() or Talk(
        peer=peer, kind=kind
    )
    talk.date, talk.status, talk.reason, talk.recorded_by = (
        date,
        Talk.Status.CANCELLED,
        reason,
        by,
    )
    talk.full_clean()
    talk.save()
    audit(by=by, action="talk_cancel", obj=talk, summary=f"{kind} {date:%Y-%m-%d}")
    return talk


@transaction.atomic
def action_save(*, action: TalkAction, by: User, fields: list[str]) -> TalkAction:
    """An agreed action as the leader changed it. Only the changed fields are written, so
    the peer worker ticking it done at the same moment is kept."""
    action.full_clean(exclude=["talk"])
    if fields:
        action.save(update_fields=fields)
        audit(by=by, action="talk_action_edit", obj=action, summary=", ".join(fields))
    return action


@transaction.atomic
def action_toggle(*, action: TalkAction, by: User) -> TalkAction:
    action.done_on = None if action.done_on else timezone.localdate()
    action.save(update_fields=["done_on"])
    audit(by=by, action="talk_action_toggle", obj=action)
    return action


@transaction.atomic
def rhythm_set(
    *, peer: PeerWorker, by: User, probation_days: int, after_months: int
) -> FollowUpRhythm:
    rhythm = FollowUpRhythm.objects.filter(peer=peer).first() or FollowUpRhythm(peer=peer)
    rhythm.probation_days, rhythm.after_months = probation_days, after_months
    rhythm.full_clean()
    rhythm.save()
    audit(by=by, action="follow_up_rhythm", obj=rhythm, summary=f"{probation_days}/{after_months}")
    return rhythm


# Preparing the workplace and making the peer worker visible ------------------------------


@transaction.atomic
def questions_save(*, edits: RowEdits, by: User) -> int:
    """The Centre's questions and answers as edited (added, changed, removed), all or
    nothing: refused (ConcurrentEditError) if someone else saved or removed a changed or
    removed question since it was opened. Returns how many rows changed."""
    rows_save(StaffQuestion, edits, by=by, action="staff_question")
    return len(edits)


@transaction.atomic
def presentation_save(
    *, peer: PeerWorker, by: User, text: str, approve: bool, expected_version: int
) -> Presentation:
    """The peer worker writes their presentation; approving it makes the leaflet possible.
    A changed text is approved again (or not) as it stands."""
    presentation = Presentation.objects.filter(peer=peer).first()
    approved_on = timezone.localdate() if approve else None
    if presentation is None:
        presentation = Presentation(peer=peer, text=text, approved_on=approved_on)
        presentation.full_clean()
        presentation.save()
    else:
        save_versioned(
            presentation,
            expected_version=expected_version,
            changes={"text": text, "approved_on": approved_on},
        )
    audit(
        by=by,
        action="presentation_save",
        obj=presentation,
        summary="approved" if approve else "draft",
    )
    return presentation


@transaction.atomic
def leaflet_made(*, presentation: Presentation, by: User) -> None:
    """The leaflet was made: the first time, the checklist's task to inform the patients
    is done."""
    if presentation.leaflet_made_on is None:
        Presentation.objects.filter(pk=presentation.pk, leaflet_made_on__isnull=True).update(
            leaflet_made_on=timezone.localdate()
        )
        audit(by=by, action="leaflet_made", obj=presentation)


# Tasks outside the description ------------------------------------------------------------


def outside_task_problems(
    *, peer: PeerWorker, week: datetime.date | None, today: datetime.date | None = None
) -> dict[str, list[str]]:
    """The rules of a logged week: field name -> errors."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if week is not None:
        if week.weekday() != 0:
            errors["week"] = [_("Choose the week by its Monday.")]
        elif week > today:
            errors["week"] = [_("Log a week that has begun: this week or an earlier one.")]
        elif week + datetime.timedelta(days=6) < peer.start_date:
            errors["week"] = [_("The week is before the peer worker started.")]
    return errors


@transaction.atomic
def outside_task_log(
    *,
    peer: PeerWorker,
    by: User | None,
    week: datetime.date,
    kind: str,
    hours: int,
    note: str = "",
) -> OutsideTask:
    """Hours of a task outside the description in a week; entries of a week add up."""
    errors = outside_task_problems(peer=peer, week=week)
    if errors:
        raise ValidationError(errors)
    task = OutsideTask(peer=peer, week=week, kind=kind, hours=hours, note=note, recorded_by=by)
    task.full_clean()
    task.save()
    audit(by=by, action="outside_task_log", obj=task, summary=f"{kind} {hours}")
    return task


@transaction.atomic
def outside_task_delete(*, task: OutsideTask, by: User) -> None:
    audit(by=by, action="outside_task_delete", obj=task, summary=f"{task.kind} {task.hours}")
    task.delete()
