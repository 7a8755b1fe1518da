"""Writes for recruitment and onboarding: keyword-only, atomic, validated, audited."""

from __future__ import annotations

import datetime
import importlib
import re
from typing import Any

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from peerprogram import services as core
from peerprogram.models import PeerWorker, StaffMember, Unit

from .models import (
    Applicant,
    ChecklistItem,
    ChecklistTemplateItem,
    CommitteeMember,
    Interview,
    Onboarding,
    Phase,
    PostingTemplate,
    ReferenceCheck,
    Responsible,
    StageChange,
    Vacancy,
)
from .models import Assessment as AssessmentModel
from .selectors import due_days_of

Status = Vacancy.Status
Stage = Applicant.Stage

# Which status may follow which.
TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.PUBLISHED, Status.CANCELLED},
    Status.PUBLISHED: {Status.CLOSED, Status.CANCELLED},
    Status.CLOSED: {Status.PUBLISHED, Status.CANCELLED},
    Status.FILLED: set(),
    Status.CANCELLED: set(),
}


def _refuse_if_anonymised(applicant: Applicant) -> None:
    if applicant.anonymised_on:
        raise ValidationError(_("The applicant has been anonymised and cannot be changed."))


# A placeholder is a name in braces and nothing else; doubled braces are a brace.
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{(\w+)\}")


def fill_placeholders(text: str, values: dict[str, object]) -> str:
    """The text with each {name} of `values` replaced by its value.

    Not str.format: a template the Centre edits (or one put in through the admin or an
    import, past the form's check) could then reach attributes ({title.__class__}) or ask
    for a field a gigabyte wide ({title:>999999999}). Here anything but a known {name}
    stays as it is written; {{ and }} become { and }, as they did with str.format."""

    def one(match: re.Match[str]) -> str:
        token, name = match[0], match[1]
        if name is None:
            return token[0]
        return str(values[name]) if name in values else token

    return _PLACEHOLDER.sub(one, text)


def posting_render(*, template: PostingTemplate | None, vacancy: Vacancy) -> str:
    """The posting text from the Centre's template, with the vacancy's facts filled in."""
    if template is None:
        return ""
    contact = vacancy.contact_person
    contact_text = contact.name
    if contact.phone:
        contact_text += f", {contact.phone}"
    contact_text += f", {contact.email}"
    values = {
        "title": vacancy.title,
        "unit": vacancy.unit.name,
        "hours": vacancy.hours_per_week,
        "employment_form": str(vacancy.get_employment_form_display()).lower(),
        "start_date": formats.date_format(vacancy.planned_start_date, "DATE_FORMAT"),
        "deadline": formats.date_format(vacancy.application_deadline, "DATE_FORMAT"),
        "contact": contact_text,
    }
    return fill_placeholders(template.body, values)


def _with_tasks(posting: str, tasks_text: str) -> str:
    """The tasks section after the posting's heading and first paragraph."""
    if not tasks_text:
        return posting
    parts = posting.split("\n\n")
    at = min(2, len(parts))
    return "\n\n".join([*parts[:at], tasks_text, *parts[at:]])


def current_posting_template() -> PostingTemplate | None:
    return PostingTemplate.objects.filter(active=True).order_by("-updated_at").first()


def check_vacancy(vacancy: Vacancy, *, new: bool) -> None:
    """The vacancy's dates in order, the deadline ahead when it is set, the contact person
    from the unit or the Centre (the form runs this too, on the values typed)."""
    errors = {}
    today = timezone.localdate()
    if new and vacancy.application_deadline and vacancy.application_deadline < today:
        errors["application_deadline"] = _("The application deadline cannot be in the past.")
    if (
        vacancy.application_deadline
        and vacancy.planned_start_date
        and vacancy.planned_start_date < vacancy.application_deadline
    ):
        errors["planned_start_date"] = _(
            "The planned start date cannot be before the application deadline."
        )
    if (
        vacancy.contact_person_id
        and vacancy.contact_person.unit_id != vacancy.unit_id
        and not (vacancy.contact_person.is_centre_staff)
    ):
        errors["contact_person"] = _("The contact person must work in the unit or at the Centre.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def vacancy_create(
    *,
    by: User | None,
    unit: Unit,
    title: str,
    hours_per_week: int,
    employment_form: str,
    planned_start_date: datetime.date,
    application_deadline: datetime.date,
    contact_person: StaffMember,
    posting_text: str = "",
    tasks_text: str = "",
) -> Vacancy:
    """Open a vacancy; it gets the standard checklist, the leader on the committee, and a
    posting drafted from the Centre's template unless a text is given. `tasks_text` (the
    tasks of a function description) goes into the drafted posting after its opening."""
    vacancy = Vacancy(
        unit=unit,
        title=title,
        hours_per_week=hours_per_week,
        employment_form=employment_form,
        planned_start_date=planned_start_date,
        application_deadline=application_deadline,
        contact_person=contact_person,
        created_by=by,
    )
    vacancy.full_clean(exclude=["posting_text"])
    check_vacancy(vacancy, new=True)
    vacancy.posting_text = posting_text or _with_tasks(
        posting_render(template=current_posting_template(), vacancy=vacancy), tasks_text
    )
    vacancy.save()
    if unit.leader is not None:
        CommitteeMember.objects.create(
            vacancy=vacancy, staff_member=unit.leader, seat=CommitteeMember.Seat.LEADER
        )
    onboarding_create(unit=unit, vacancy=vacancy)
    core.audit(by=by, action="vacancy_create", obj=vacancy, summary=title)
    return vacancy


@transaction.atomic
def vacancy_update(*, vacancy: Vacancy, by: User, expected_version: int, **changes: Any) -> Vacancy:
    """Change a vacancy's facts or posting; refuses on a concurrent save."""
    stored_deadline = (
        Vacancy.objects.filter(pk=vacancy.pk).values_list("application_deadline", flat=True).first()
    )
    for name, value in changes.items():
        setattr(vacancy, name, value)
    check_vacancy(vacancy, new=vacancy.application_deadline != stored_deadline)
    summary = core.save_versioned(vacancy, expected_version=expected_version, changes=changes)
    if "planned_start_date" in changes:
        checklist_due_days_refresh(onboardings=Onboarding.objects.filter(vacancy=vacancy))
    core.audit(by=by, action="vacancy_update", obj=vacancy, summary=summary)
    return vacancy


@transaction.atomic
def vacancy_set_status(*, vacancy: Vacancy, by: User | None, status: str) -> Vacancy:
    """Move a vacancy on (draft → published → closed, or cancelled); dates are recorded.
    A vacancy becomes filled only by hiring an applicant."""
    vacancy = Vacancy.objects.select_for_update().get(pk=vacancy.pk)
    if status not in TRANSITIONS[vacancy.status]:
        raise ValidationError(
            _("A vacancy that is “%(current)s” cannot become “%(new)s”.")
            % {"current": vacancy.get_status_display(), "new": Status(status).label}
        )
    today = timezone.localdate()
    fields: dict[str, str] = {
        Status.PUBLISHED: "published_on",
        Status.CLOSED: "closed_on",
        Status.CANCELLED: "cancelled_on",
    }
    setattr(vacancy, fields[status], today)
    if status == Status.PUBLISHED:
        vacancy.closed_on = None  # open again: the retention period starts from the new end
    vacancy.status = status
    vacancy.version += 1
    vacancy.save(update_fields=["status", fields[status], "closed_on", "version"])
    core.audit(by=by, action=f"vacancy_{status}", obj=vacancy)
    return vacancy


@transaction.atomic
def committee_add(
    *, vacancy: Vacancy, by: User | None, staff_member: StaffMember, seat: str
) -> CommitteeMember:
    """Give a person a seat on the hiring committee."""
    if vacancy.status in (Status.FILLED, Status.CANCELLED):
        raise ValidationError(
            _("The vacancy is %(status)s: the committee is closed.")
            % {"status": str(vacancy.get_status_display()).lower()}
        )
    errors = {}
    if seat == CommitteeMember.Seat.PEER and (
        not hasattr(staff_member, "peer") or staff_member.unit_id == vacancy.unit_id
    ):
        errors["staff_member"] = _("This seat is for a peer worker from another unit.")
    if seat == CommitteeMember.Seat.CENTRE and not staff_member.is_centre_staff:
        errors["staff_member"] = _("This seat is for a member of the Centre's staff.")
    if errors:
        raise ValidationError(errors)
    member = CommitteeMember(vacancy=vacancy, staff_member=staff_member, seat=seat)
    member.full_clean()
    member.save()
    core.audit(by=by, action="committee_add", obj=vacancy, summary=f"{staff_member} ({seat})")
    return member


@transaction.atomic
def committee_remove(*, member: CommitteeMember, by: User) -> None:
    if member.assessments.exists():
        raise ValidationError(
            _("%(name)s has written an assessment and stays on the committee.")
            % {"name": member.staff_member.name}
        )
    core.audit(by=by, action="committee_remove", obj=member.vacancy, summary=str(member))
    member.delete()


@transaction.atomic
def applicant_add(
    *,
    vacancy: Vacancy,
    by: User | None,
    name: str,
    email: str = "",
    phone: str = "",
    received_on: datetime.date | None = None,
) -> Applicant:
    """Register an application; a vacancy that is closed takes no new applicants."""
    if not vacancy.takes_applicants:
        raise ValidationError(
            _("The vacancy is %(status)s and takes no new applicants.")
            % {"status": str(vacancy.get_status_display()).lower()}
        )
    applicant = Applicant(
        vacancy=vacancy,
        name=name,
        email=email.strip().lower(),
        phone=phone,
        received_on=received_on or timezone.localdate(),
    )
    applicant.full_clean()
    applicant.save()
    StageChange.objects.create(applicant=applicant, to_stage=Stage.RECEIVED, by=by)
    core.audit(by=by, action="applicant_add", obj=applicant)
    return applicant


@transaction.atomic
def applicant_update(
    *, applicant: Applicant, by: User, expected_version: int, **changes: Any
) -> Applicant:
    """Contact facts, questionnaire answers, decision reason, answer date."""
    if applicant.anonymised_on:
        raise ValidationError(_("The applicant has been anonymised and cannot be changed."))
    summary = core.save_versioned(applicant, expected_version=expected_version, changes=changes)
    core.audit(by=by, action="applicant_update", obj=applicant, summary=summary)
    return applicant


@transaction.atomic
def applicant_move(
    *, applicant: Applicant, by: User | None, to_stage: str, note: str = ""
) -> Applicant:
    """Move an applicant to another step; each move is dated with who made it."""
    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    _refuse_if_anonymised(applicant)
    if applicant.is_final:
        raise ValidationError(
            _("%(name)s is already “%(stage)s”; the step cannot be changed.")
            % {"name": applicant.name, "stage": applicant.get_stage_display()}
        )
    if to_stage == Stage.HIRED:
        raise ValidationError(_("Use “Hire” to hire an applicant: it registers the peer worker."))
    if to_stage == applicant.stage:
        raise ValidationError(_("The applicant is already at this step."))
    StageChange.objects.create(
        applicant=applicant, from_stage=applicant.stage, to_stage=to_stage, by=by, note=note
    )
    applicant.stage = to_stage
    applicant.version += 1
    applicant.save(update_fields=["stage", "version"])
    core.audit(by=by, action="applicant_move", obj=applicant, summary=to_stage)
    return applicant


def check_interview(applicant: Applicant, starts_at: datetime.datetime | None) -> None:
    """An interview comes after the application was received."""
    if starts_at and timezone.localdate(starts_at) < applicant.received_on:
        raise ValidationError(
            {
                "starts_at": _(
                    "The interview cannot be before the application was received (%(day)s)."
                )
                % {"day": formats.date_format(applicant.received_on, "DATE_FORMAT")}
            }
        )


@transaction.atomic
def interview_schedule(
    *,
    applicant: Applicant,
    by: User | None,
    starts_at: datetime.datetime,
    place: str = "",
    video_link: str = "",
    present: list[CommitteeMember] | None = None,
) -> Interview:
    _refuse_if_anonymised(applicant)
    check_interview(applicant, starts_at)
    interview = Interview(
        applicant=applicant, starts_at=starts_at, place=place, video_link=video_link
    )
    interview.full_clean()
    interview.save()
    members = list(present or [])
    if any(m.vacancy_id != applicant.vacancy_id for m in members):
        raise ValidationError({"present": _("Only members of this committee can be present.")})
    interview.present.set(members)
    if applicant.stage in (Stage.RECEIVED, Stage.PREQUALIFICATION):
        applicant_move(
            applicant=applicant, by=by, to_stage=Stage.INTERVIEW, note=_("Interview scheduled")
        )
    core.audit(by=by, action="interview_schedule", obj=applicant)
    return interview


@transaction.atomic
def assessment_record(
    *,
    interview: Interview,
    member: CommitteeMember,
    by: User,
    recovery_reflection: str,
    assessment: str = "",
    recommendation: str = "",
) -> AssessmentModel:
    """A committee member's own assessment; writing again replaces their earlier one."""
    _refuse_if_anonymised(interview.applicant)
    if member.vacancy_id != interview.applicant.vacancy_id:
        raise ValidationError(_("You are not on this vacancy's hiring committee."))
    record, _created = AssessmentModel.objects.update_or_create(
        interview=interview,
        member=member,
        defaults={
            "recovery_reflection": recovery_reflection,
            "assessment": assessment,
            "recommendation": recommendation,
        },
    )
    record.full_clean()
    core.audit(by=by, action="assessment_record", obj=interview.applicant)
    return record


@transaction.atomic
def reference_add(
    *, applicant: Applicant, by: User | None, referee: str, checked_on: datetime.date, summary: str
) -> ReferenceCheck:
    _refuse_if_anonymised(applicant)
    reference = ReferenceCheck(
        applicant=applicant,
        referee=referee,
        checked_on=checked_on,
        summary=summary,
        checked_by=by,
    )
    reference.full_clean()
    reference.save()
    core.audit(by=by, action="reference_add", obj=applicant)
    return reference


@transaction.atomic
def applicant_hire(
    *,
    applicant: Applicant,
    by: User | None,
    start_date: datetime.date,
    hours_per_week: int,
    employment_form: str,
    probation_months: int = 3,
) -> PeerWorker:
    """Hire the applicant: a peer worker of the unit, the vacancy filled, the checklist
    carried over to the peer worker. Nothing is typed twice."""
    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    vacancy = Vacancy.objects.select_for_update().get(pk=applicant.vacancy_id)
    if applicant.is_final:
        raise ValidationError(
            _("%(name)s is already “%(stage)s”.")
            % {"name": applicant.name, "stage": applicant.get_stage_display()}
        )
    _refuse_if_anonymised(applicant)
    if vacancy.status in (Status.FILLED, Status.CANCELLED, Status.DRAFT):
        raise ValidationError(
            _("The vacancy is %(status)s.") % {"status": str(vacancy.get_status_display()).lower()}
        )
    if not applicant.email:
        raise ValidationError(
            {
                "email": _(
                    "Add the applicant's e-mail address before hiring: the staff record needs it."
                )
            }
        )
    if StaffMember.objects.filter(email=applicant.email).exists():
        raise ValidationError(
            {"email": _("A staff member with this e-mail address already exists.")}
        )
    peer = core.peer_create(
        by=by,
        name=applicant.name,
        email=applicant.email,
        phone=applicant.phone,
        unit=vacancy.unit,
        start_date=start_date,
        hours_per_week=hours_per_week,
        employment_form=employment_form,
        probation_months=probation_months,
    )
    StageChange.objects.create(
        applicant=applicant, from_stage=applicant.stage, to_stage=Stage.HIRED, by=by
    )
    applicant.stage = Stage.HIRED
    applicant.hired_peer = peer
    applicant.answer_given_on = applicant.answer_given_on or timezone.localdate()
    applicant.version += 1
    applicant.save(update_fields=["stage", "hired_peer", "answer_given_on", "version"])
    vacancy.status = Status.FILLED
    vacancy.filled_on = timezone.localdate()
    vacancy.version += 1
    vacancy.save(update_fields=["status", "filled_on", "version"])
    onboarding = Onboarding.objects.filter(vacancy=vacancy).first()
    if onboarding is None:
        onboarding_create(unit=vacancy.unit, peer=peer)
    else:
        onboarding.peer = peer
        onboarding.save(update_fields=["peer"])
        checklist_due_days_refresh(onboardings=Onboarding.objects.filter(pk=onboarding.pk))
    core.audit(by=by, action="applicant_hire", obj=applicant, summary=f"peer #{peer.pk}")
    return peer


def applicants_anonymise(*, today: datetime.date, retention_months: int) -> list[Applicant]:
    """Anonymise applicants who were not hired, once their vacancy ended long enough ago."""
    cutoff = today - relativedelta(months=retention_months)
    due = (
        Applicant.objects.filter(anonymised_on__isnull=True, hired_peer__isnull=True)
        .exclude(stage=Stage.HIRED)
        .filter(vacancy__status__in=[Status.FILLED, Status.CLOSED, Status.CANCELLED])
        .select_related("vacancy")
    )
    done = []
    for applicant in due:
        ended = applicant.vacancy.ended_on
        if ended is None or ended > cutoff:
            continue
        with transaction.atomic():
            applicant.name = _("Anonymised applicant #%(pk)s") % {"pk": applicant.pk}
            applicant.email = ""
            applicant.phone = ""
            for field in ("motivation", "recovery", "robustness", "readiness", "decision_reason"):
                setattr(applicant, field, "")
            applicant.anonymised_on = today
            applicant.save()
            applicant.references.update(referee="–", summary="")
            applicant.interviews.update(place="–", video_link="")
            AssessmentModel.objects.filter(interview__applicant=applicant).update(
                recovery_reflection="", assessment=""
            )
            applicant.stage_changes.update(note="")
            core.audit(by=None, action="applicant_anonymise", obj=applicant)
        done.append(applicant)
    return done


# The checklist ---------------------------------------------------------------


def onboarding_create(
    *, unit: Unit, vacancy: Vacancy | None = None, peer: PeerWorker | None = None
) -> Onboarding:
    """A new onboarding with a copy of the Centre's standard checklist."""
    onboarding = Onboarding.objects.create(unit=unit, vacancy=vacancy, peer=peer)
    templates = ChecklistTemplateItem.objects.filter(active=True)
    ChecklistItem.objects.bulk_create(ChecklistItem.from_template(onboarding, t) for t in templates)
    checklist_due_days_refresh(onboardings=Onboarding.objects.filter(pk=onboarding.pk))
    return onboarding


def checklist_due_days_refresh(*, onboardings: QuerySet[Onboarding]) -> int:
    """Store the due day of every task of these checklists (and the start and probation
    they count from), where it changed; how many tasks changed. The one write path of
    `ChecklistItem.due_on`: the checklist's own services call it, and the daily run
    catches a start date moved elsewhere (the peer worker's page, the admin)."""
    changed_items: list[ChecklistItem] = []
    changed_onboardings: list[Onboarding] = []
    for onboarding, start, probation, dues in due_days_of(onboardings):
        stored = (
            onboarding.dues_start,
            onboarding.dues_probation_months,
            onboarding.dues_created_at,
        )
        if stored != (start, probation, onboarding.created_at):
            onboarding.dues_start, onboarding.dues_probation_months = start, probation
            onboarding.dues_created_at = onboarding.created_at
            changed_onboardings.append(onboarding)
        for item, due in dues:
            if item.due_on != due:
                item.due_on = due
                changed_items.append(item)
    ChecklistItem.objects.bulk_update(changed_items, ["due_on"], batch_size=2000)
    Onboarding.objects.bulk_update(
        changed_onboardings,
        ["dues_start", "dues_probation_months", "dues_created_at"],
        batch_size=2000,
    )
    return len(changed_items)


@transaction.atomic
def onboarding_start_for_peer(*, peer: PeerWorker, by: User | None) -> Onboarding:
    """A checklist for a peer worker who was registered without a vacancy."""
    existing = Onboarding.objects.filter(peer=peer).first()
    if existing:
        return existing
    onboarding = onboarding_create(unit=peer.staff_member.unit, peer=peer)
    core.audit(by=by, action="onboarding_start", obj=onboarding)
    return onboarding


@transaction.atomic
def checklist_item_set_done(
    *, item: ChecklistItem, by: User, done: bool, expected_version: int
) -> ChecklistItem:
    """Tick or untick an item by hand. Items derived from facts elsewhere are refused."""
    if item.derived_from:
        raise ValidationError(
            _("This task is done when the fact is recorded (%(fact)s); it is not ticked by hand.")
            % {"fact": item.get_derived_from_display()}
        )
    changes = {
        "done_on": timezone.localdate() if done else None,
        "done_by": by if done else None,
    }
    core.save_versioned(item, expected_version=expected_version, changes=changes)
    core.audit(by=by, action="checklist_done" if done else "checklist_undone", obj=item)
    return item


@transaction.atomic
def checklist_item_update(
    *, item: ChecklistItem, by: User, expected_version: int, **changes: Any
) -> ChecklistItem:
    """Change an item's due date or note (or, for unit-specific items, its text)."""
    summary = core.save_versioned(item, expected_version=expected_version, changes=changes)
    core.audit(by=by, action="checklist_update", obj=item, summary=summary)
    return item


@transaction.atomic
def checklist_item_add(
    *,
    onboarding: Onboarding,
    by: User,
    title: str,
    phase: str = Phase.ONBOARDING,
    responsible: str = Responsible.LEADER,
    due_override: datetime.date | None = None,
    description: str = "",
) -> ChecklistItem:
    """A unit-specific task, added by the leader to one checklist."""
    last = onboarding.items.order_by("-order").values_list("order", flat=True).first() or 0
    item = ChecklistItem(
        onboarding=onboarding,
        title=title,
        phase=phase,
        responsible=responsible,
        due_override=due_override,
        description=description,
        order=last + 10,
        unit_specific=True,
    )
    item.full_clean()
    item.save()
    checklist_due_days_refresh(onboardings=Onboarding.objects.filter(pk=onboarding.pk))
    core.audit(by=by, action="checklist_add", obj=item, summary=title)
    return item


# Centre templates ----------------------------------------------------------------


def standard_templates_ensure() -> None:
    """Load the standard checklist and posting template if they are missing (the data
    migration's own loader; it adds nothing when they exist)."""
    migration = importlib.import_module("recruitment.migrations.0002_standard_checklist")
    migration.load(apps, None)


@transaction.atomic
def posting_template_save(
    *, template: PostingTemplate | None, by: User, expected_version: int, name: str, body: str
) -> PostingTemplate:
    """Save the Centre's posting template; existing postings keep their own text."""
    if template is None:
        template = PostingTemplate(name=name, body=body, updated_by=by)
        template.full_clean()
        template.save()
    else:
        core.save_versioned(
            template,
            expected_version=expected_version,
            changes={"name": name, "body": body, "updated_by": by, "updated_at": timezone.now()},
        )
    core.audit(by=by, action="posting_template_save", obj=template)
    return template


@transaction.atomic
def checklist_template_item_save(
    *,
    item: ChecklistTemplateItem | None,
    by: User,
    expected_version: int | None = None,
    **fields: Any,
) -> ChecklistTemplateItem:
    """Add an item to the standard checklist (`item` None) or change one; a change is
    refused if someone else saved the item after `expected_version` (by default the version
    `item` was read with). Existing checklists keep their own copy."""
    item, summary = core.create_or_save_versioned(
        ChecklistTemplateItem, item, expected_version=expected_version, fields=fields
    )
    core.audit(by=by, action="checklist_template_save", obj=item, summary=summary)
    return item
