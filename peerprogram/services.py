"""Writes to the shared programme model. Keyword-only, atomic, validated, audited."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from .models import AuditEvent, PeerWorker, StaffMember, Unit, Versioned, VersionedModel

V = TypeVar("V", bound=VersionedModel)


class ConcurrentEditError(Exception):
    """Someone saved the same record after this user opened it."""

    message = _(
        "Someone else saved this record while you were editing it. Nothing was overwritten: "
        "your changes are still in the form below. Reload the page to see their version, "
        "then make your changes again."
    )


def audit(*, by: User | None, action: str, obj: models.Model, summary: str = "") -> AuditEvent:
    return AuditEvent.objects.create(
        **_audit_fields(by=by, action=action, obj=obj, summary=summary)
    )


def audit_many(
    *, by: User | None, action: str, objects: Sequence[models.Model], summary: str = ""
) -> list[AuditEvent]:
    """One audit row per object, as `audit` writes it, in one INSERT (imports write
    thousands). The objects must have their primary keys."""
    if any(obj.pk is None for obj in objects):
        raise ValueError("audit_many needs saved objects (with primary keys)")
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(**_audit_fields(by=by, action=action, obj=obj, summary=summary))
            for obj in objects
        ]
    )


def _audit_fields(
    *, by: User | None, action: str, obj: models.Model, summary: str
) -> dict[str, Any]:
    return {
        "actor_id": by.pk if by is not None else None,
        "action": action,
        "object_type": obj._meta.label_lower,
        "object_id": obj.pk,
        "summary": summary,
    }


def save_versioned(instance: Versioned, *, expected_version: int, changes: dict[str, Any]) -> str:
    """Apply changes only if nobody saved the row since `expected_version` was read.

    Returns the names of the fields that really changed, for the audit row.
    """
    model = instance._meta.model
    stored = model._default_manager.filter(pk=instance.pk).values(*_columns(model, changes)).first()
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.full_clean()
    values = {name: getattr(instance, name) for name in changes}
    updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if not updated:
        raise ConcurrentEditError
    instance.version = expected_version + 1
    return _changed_names(model, stored or {}, changes)


def create_or_save_versioned(
    model: type[V], instance: V | None, *, expected_version: int | None, fields: dict[str, Any]
) -> tuple[V, str]:
    """A new row from `fields` (`instance` None), or the change of one through
    save_versioned, refused if someone saved it after `expected_version` (by default the
    version `instance` was read with). Returns the row and the audit summary: the new row's
    name, or the names of the fields that changed."""
    if instance is None:
        created = model(**fields)
        created.full_clean()
        created.save()
        return created, str(created)
    expected = instance.version if expected_version is None else expected_version
    return instance, save_versioned(instance, expected_version=expected, changes=fields)


@dataclasses.dataclass
class RowEdits:
    """What a save of a list of rows edited on one page (the staff group's questions, a
    questionnaire's questions, an instrument's items) adds, changes and removes; each
    changed or removed row with the version it was opened at (None: as it was read)."""

    added: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    changed: list[tuple[Any, int | None, dict[str, Any]]] = dataclasses.field(default_factory=list)
    removed: list[tuple[Any, int | None]] = dataclasses.field(default_factory=list)

    def __len__(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


def rows_save(
    model: type[models.Model],
    edits: RowEdits,
    *,
    by: User | None,
    action: str,
    parent: dict[str, Any] | None = None,
) -> None:
    """Apply a list's edits, all or nothing (in the caller's transaction): refused
    (ConcurrentEditError) if a changed or removed row was saved since it was opened.
    Audit rows `<action>_save` and `<action>_delete`."""
    for row, version, values in edits.changed:
        expected = row.version if version is None else version
        summary = save_versioned(row, expected_version=expected, changes=values)
        audit(by=by, action=f"{action}_save", obj=row, summary=summary)
    for row, version in edits.removed:
        expected = row.version if version is None else version
        removed, _by_model = model._default_manager.filter(pk=row.pk, version=expected).delete()
        if not removed:
            raise ConcurrentEditError
        audit(by=by, action=f"{action}_delete", obj=row)
    for values in edits.added:
        row = model(**(parent or {}), **values)
        row.full_clean()
        row.save()
        audit(by=by, action=f"{action}_save", obj=row, summary=str(row))


def _columns(model: type[models.Model], changes: dict[str, Any]) -> list[str]:
    return [_attname(model, name) for name in changes]


def _attname(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise ValueError(f"{name} is not a column of {model._meta.label}")
    return field.attname


def _changed_names(
    model: type[models.Model], stored: dict[str, Any], changes: dict[str, Any]
) -> str:
    names: list[str] = []
    for name, value in changes.items():
        attname = _attname(model, name)
        new = value.pk if isinstance(value, models.Model) else value
        if stored.get(attname) != new:
            names.append(name)
    return ", ".join(sorted(names))


@transaction.atomic
def unit_create(
    *,
    by: User,
    name: str,
    kind: str,
    organisation: str,
    leader: StaffMember | None = None,
    active: bool = True,
) -> Unit:
    """Create a unit (Centre staff and administrators)."""
    unit = Unit(name=name, kind=kind, organisation=organisation, leader=leader, active=active)
    unit.full_clean()
    unit.save()
    audit(by=by, action="unit_create", obj=unit, summary=name)
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, by: User, expected_version: int, **changes: Any) -> Unit:
    """Change a unit's facts; refuses if someone else saved it in the meantime."""
    summary = save_versioned(unit, expected_version=expected_version, changes=changes)
    audit(by=by, action="unit_update", obj=unit, summary=summary)
    return unit


@transaction.atomic
def staff_create(
    *,
    by: User | None,
    name: str,
    email: str,
    unit: Unit,
    profession: str,
    phone: str = "",
    is_centre_staff: bool = False,
    active: bool = True,
    user: User | None = None,
) -> StaffMember:
    """Add a staff member to a unit."""
    member = StaffMember(
        name=name,
        email=email.strip().lower(),
        phone=phone,
        unit=unit,
        profession=profession,
        is_centre_staff=is_centre_staff,
        active=active,
        user=user,
    )
    member.full_clean()
    member.save()
    audit(by=by, action="staff_create", obj=member, summary=name)
    return member


@transaction.atomic
def staff_update(
    *, member: StaffMember, by: User, expected_version: int, **changes: Any
) -> StaffMember:
    """Change a staff member's facts; refuses if someone else saved them in the meantime.
    With single sign-on (OIDC_ISSUER) the e-mail decides whose login a first sign-on
    opens: of a staff member with a login, only an administrator changes it."""
    if "email" in changes:
        changes["email"] = changes["email"].strip().lower()
        if (
            settings.OIDC_ISSUER
            and member.user_id
            and changes["email"] != member.email
            and not by.is_superuser
        ):
            raise ValidationError(
                {
                    "email": _(
                        "Only an administrator changes the e-mail address of someone with a "
                        "login: with the region's login it decides whose login opens."
                    )
                }
            )
    summary = save_versioned(member, expected_version=expected_version, changes=changes)
    audit(by=by, action="staff_update", obj=member, summary=summary)
    return member


@transaction.atomic
def peer_create(
    *,
    by: User | None,
    name: str,
    email: str,
    unit: Unit,
    start_date: datetime.date,
    hours_per_week: int,
    employment_form: str,
    phone: str = "",
    probation_months: int = 3,
    end_date: datetime.date | None = None,
    user: User | None = None,
    **background: str,
) -> PeerWorker:
    """Register a peer worker: the staff member and the employment facts in one step.
    `background`: the end reason and the background fields of PeerWorker."""
    member = staff_create(
        by=by,
        name=name,
        email=email,
        phone=phone,
        unit=unit,
        profession=StaffMember.Profession.PEER,
        user=user,
    )
    return peer_employ(
        by=by,
        member=member,
        start_date=start_date,
        hours_per_week=hours_per_week,
        employment_form=employment_form,
        probation_months=probation_months,
        end_date=end_date,
        **background,
    )


@transaction.atomic
def peer_employ(
    *,
    by: User | None,
    member: StaffMember,
    start_date: datetime.date,
    hours_per_week: int,
    employment_form: str,
    probation_months: int = 3,
    end_date: datetime.date | None = None,
    **background: str,
) -> PeerWorker:
    """Record that an existing staff member is employed as a peer worker."""
    peer = PeerWorker(
        staff_member=member,
        start_date=start_date,
        hours_per_week=hours_per_week,
        employment_form=employment_form,
        probation_months=probation_months,
        end_date=end_date,
        **background,
    )
    peer.full_clean()
    peer.save()
    if member.profession != StaffMember.Profession.PEER:
        member.profession = StaffMember.Profession.PEER
        member.save(update_fields=["profession"])
    audit(by=by, action="peer_employ", obj=peer, summary=f"{hours_per_week} h/week")
    return peer


@transaction.atomic
def peer_update(*, peer: PeerWorker, by: User, expected_version: int, **changes: Any) -> PeerWorker:
    """Change a peer worker's employment facts; refuses on a concurrent save."""
    summary = save_versioned(peer, expected_version=expected_version, changes=changes)
    audit(by=by, action="peer_update", obj=peer, summary=summary)
    return peer


# Date rules every app's services and forms use (docs/forms.md).


def not_in_past(
    values: dict[str, Any], field: str, *, changed: bool = True, message: StrOrPromise = ""
) -> None:
    """A day (or a moment) being planned is not in the past; a value left as it was is not
    judged again (a vacancy's start that has passed stays editable)."""
    value = values.get(field)
    if not changed or value is None:
        return
    if isinstance(value, datetime.datetime):
        past = value < timezone.now()
    else:
        past = value < timezone.localdate()
    if past:
        raise ValidationError(
            {field: message or _("The date is in the past: choose today or a later day.")}
        )


def not_in_future(values: dict[str, Any], field: str, *, message: StrOrPromise = "") -> None:
    """A day being recorded (an application received, a reference checked) has come."""
    value = values.get(field)
    if value is not None and value > timezone.localdate():
        raise ValidationError({field: message or _("The date cannot be in the future.")})
