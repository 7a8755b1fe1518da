"""The shared programme model: units, staff members and peer workers.

Every app builds on these. Who mentors whom lives in the mentoring app and is
read through ``mentoring.selectors``.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from typing import Any, Protocol

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.db.models.options import Options
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Control characters break spreadsheets and print badly; nobody types them on purpose.
no_control_characters = RegexValidator(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]",
    inverse_match=True,
    message=_("The text contains an invisible control character. Retype it."),
)


def field_label(model: type[models.Model], name: str) -> str:
    """The verbose name of one of the model's own fields, as its forms and tables show it."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise ValueError(f"{name} is not a field of {model._meta.label}")
    return str(field.verbose_name)


def hours_per_week_constraint(name: str) -> models.CheckConstraint:
    """Peer workers and vacancies alike: 1 to 37 hours a week, enforced by the database."""
    return models.CheckConstraint(
        condition=Q(hours_per_week__gte=1) & Q(hours_per_week__lte=37),
        name=name,
        violation_error_message=_("Hours per week must be between 1 and 37."),
    )


class VersionedModel(models.Model):
    """Counts saves, so an edit form opened before another save is noticed (services)."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Any save of an existing row (import, admin, a service) moves the version on.
        if self.pk is not None and not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)


class Versioned(Protocol):
    """A row with a save counter: a VersionedModel, or a model that counts its saves itself."""

    pk: Any
    version: int

    @property
    def _meta(self) -> Options[Any]: ...

    def full_clean(
        self,
        exclude: Collection[str] | None = ...,
        validate_unique: bool = ...,
        validate_constraints: bool = ...,
    ) -> None: ...


class Unit(VersionedModel):
    class Kind(models.TextChoices):
        INPATIENT = "inpatient", _("Inpatient ward")
        OUTPATIENT = "outpatient", _("Outpatient clinic")
        FACT = "fact", _("F-ACT team")
        MUNICIPAL = "municipal", _("Municipal service")
        OTHER = "other", _("Other")

    name = models.CharField(
        _("name"),
        max_length=200,
        unique=True,
        validators=[no_control_characters],
        error_messages={"unique": _("There is already a unit with this name.")},
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    organisation = models.CharField(
        _("region or organisation"),
        max_length=200,
        validators=[no_control_characters],
        help_text=_("For example the region or municipality the unit belongs to."),
    )
    # One FK on the unit makes "one leader per unit" structural: a unit cannot
    # have two. A leader may lead several units.
    leader = models.ForeignKey(
        "StaffMember",
        verbose_name=_("leader"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_units",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="unit_name_unique_ignoring_case",
                violation_error_message=_("A unit with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("peerprogram:unit_detail", args=[self.pk])

    def clean(self) -> None:
        # The leader is one of the unit's own active staff, and not a peer worker
        # (the same rule as the unit form; it also guards imports).
        leader = self.leader
        if leader is not None and (
            leader.unit_id != self.pk
            or not leader.active
            or leader.profession == StaffMember.Profession.PEER
        ):
            raise ValidationError(
                {
                    "leader": _(
                        "The leader must be an active staff member of this unit, "
                        "and not a peer worker."
                    )
                }
            )


class StaffMember(VersionedModel):
    class Profession(models.TextChoices):
        NURSE = "nurse", _("Nurse")
        SOSU = "sosu", _("Social and health care assistant")
        PSYCHOLOGIST = "psychologist", _("Psychologist")
        DOCTOR = "doctor", _("Doctor")
        OT = "ot", _("Occupational therapist")
        SOCIAL_WORKER = "social_worker", _("Social worker")
        PEER = "peer", _("Peer worker")
        OTHER = "other", _("Other")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_member",
    )
    name = models.CharField(_("name"), max_length=200, validators=[no_control_characters])
    email = models.EmailField(
        _("e-mail"),
        unique=True,
        error_messages={"unique": _("There is already a member of staff with this e-mail.")},
    )
    phone = models.CharField(
        _("phone"), max_length=30, blank=True, validators=[no_control_characters]
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="staff"
    )
    profession = models.CharField(_("profession"), max_length=20, choices=Profession.choices)
    is_centre_staff = models.BooleanField(
        _("Centre staff"),
        default=False,
        help_text=_(
            "Works at the Center for Recovery og Samskabelse and sees the whole programme."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    # The person's own choices for e-mail (their page "Your e-mails").
    weekly_digest = models.BooleanField(
        _("weekly e-mail of what needs me"),
        default=True,
        help_text=_("Monday morning, only when something waits for you."),
    )
    language = models.CharField(
        _("language of e-mails"),
        max_length=2,
        choices=settings.LANGUAGES,
        default="da",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        # The lists of staff and of peer workers are read a page at a time in name order.
        indexes = [models.Index(fields=["name"], name="staffmember_name")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name="") & ~Q(email=""), name="staff_name_and_email_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # E-mail addresses are compared case-insensitively on import and login.
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("peerprogram:staff_detail", args=[self.pk])


class PeerWorker(VersionedModel):
    class EmploymentForm(models.TextChoices):
        PERMANENT = "permanent", _("Permanent")
        FEE_PAID = "fee_paid", _("Fee-paid")
        VOLUNTEER = "volunteer", _("Volunteer")
        FLEX_JOB = "flex_job", _("Flex-job")

    class LivedExperience(models.TextChoices):
        PATIENT = "patient", _("As a patient")
        RELATIVE = "relative", _("As a relative")
        BOTH = "both", _("As a patient and as a relative")

    class EndReason(models.TextChoices):
        NEW_JOB = "new_job", _("Own wish: a new job")
        EDUCATION = "education", _("Own wish: education")
        HEALTH = "health", _("Health")
        TEMPORARY = "temporary", _("The temporary post ended")
        DISMISSAL = "dismissal", _("Dismissal")
        RETIREMENT = "retirement", _("Retirement")
        OTHER = "other", _("Other")

    staff_member = models.OneToOneField(
        StaffMember,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="peer",
    )
    start_date = models.DateField(_("start date"))
    hours_per_week = models.PositiveSmallIntegerField(
        _("hours per week"),
        help_text=_("Between 1 and 37. At least 20 hours a week is recommended."),
    )
    employment_form = models.CharField(
        _("employment form"),
        max_length=20,
        choices=EmploymentForm.choices,
        default=EmploymentForm.PERMANENT,
    )
    probation_months = models.PositiveSmallIntegerField(
        _("probation (months)"), default=3, help_text=_("Usually 3 months.")
    )
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason the employment ends"), max_length=20, choices=EndReason.choices, blank=True
    )
    end_reason_text = models.CharField(
        _("the reason in words"), max_length=300, blank=True, validators=[no_control_characters]
    )
    # Background the leader and the Centre see (never a posting): drift risk, and education
    # is a positive factor (the guides).
    lived_experience = models.CharField(
        _("lived experience"), max_length=10, choices=LivedExperience.choices, blank=True
    )
    earlier_profession = models.CharField(
        _("earlier health or social profession"),
        max_length=200,
        blank=True,
        validators=[no_control_characters],
        help_text=_("If any. Peer workers with a health qualification drift more easily."),
    )
    education = models.CharField(
        _("education"), max_length=300, blank=True, validators=[no_control_characters]
    )

    class Meta:
        ordering = ["staff_member__name"]
        verbose_name = _("peer worker")
        verbose_name_plural = _("peer workers")
        constraints = [
            hours_per_week_constraint("peer_hours_between_1_and_37"),
            models.CheckConstraint(
                condition=Q(probation_months__lte=12),
                name="peer_probation_at_most_12_months",
                violation_error_message=_("Probation can be at most 12 months."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="peer_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=~Q(end_reason="other") | ~Q(end_reason_text=""),
                name="peer_other_end_reason_described",
                violation_error_message=_("Say in words why the employment ends."),
            ),
        ]

    def __str__(self) -> str:
        return self.staff_member.name

    def get_absolute_url(self) -> str:
        return reverse("peerprogram:peer_detail", args=[self.pk])

    @property
    def name(self) -> str:
        return self.staff_member.name

    @property
    def unit(self) -> Unit:
        return self.staff_member.unit

    @property
    def yearly_cost(self) -> int:
        """Yearly salary cost in DKK, from the hours and the programme rate."""
        return yearly_cost_for_hours(self.hours_per_week)

    @property
    def hours_warning(self) -> str:
        return hours_warning(self.hours_per_week)

    @property
    def employment_form_warning(self) -> str:
        return employment_form_warning(self.employment_form)

    @property
    def probation_end(self) -> datetime.date:
        return self.start_date + relativedelta(months=self.probation_months)

    def status(self, today: datetime.date | None = None) -> str:
        today = today or timezone.localdate()
        if self.end_date and self.end_date < today:
            return "ended"
        if self.start_date > today:
            return "starting"
        if today < self.probation_end:
            return "probation"
        return "employed"

    def status_label(self, today: datetime.date | None = None) -> str:
        return str(PEER_STATUS_LABELS[self.status(today)])


PEER_STATUS_LABELS = {
    "ended": _("Ended"),
    "starting": _("Not started yet"),
    "probation": _("In probation"),
    "employed": _("Employed"),
}


def yearly_cost_for_hours(hours: int | None) -> int:
    if not hours:
        return 0
    return hours * settings.PEER_COST_PER_WEEKLY_HOUR_DKK


def employment_form_warning(form: str) -> str:
    """Fee-paid and volunteer posts are allowed, with the reason they are not advised."""
    if form in (PeerWorker.EmploymentForm.FEE_PAID, PeerWorker.EmploymentForm.VOLUNTEER):
        return str(
            _(
                "Not recommended: peer support is a lasting task, and the recruitment "
                "recommendations advise a permanent post. Without one the peer worker is "
                "harder to keep and to make part of the team."
            )
        )
    return ""


def hours_warning(hours: int | None) -> str:
    """The recommendation a leader should see when the hours are low (a warning, not an error)."""
    if hours and hours < settings.PEER_RECOMMENDED_MIN_HOURS:
        return str(
            _(
                "Fewer than %(min)s hours a week is not recommended: with so few hours it is "
                "hard for the peer worker to become part of the team."
            )
            % {"min": settings.PEER_RECOMMENDED_MIN_HOURS}
        )
    return ""


class AuditEvent(models.Model):
    """One row per write that matters: who did what to which object, and when."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class CheckedImport(models.Model):
    """A file that passed the import check and waits for the user's confirmation.

    Kept here, not in the session: the session is read and written on every request (the
    idle timeout), so a checked file of 10,000 rows made every page of that user move a
    megabyte until they confirmed. One per user and import; a new upload replaces it, the
    confirmation deletes it, and rows older than the session's lifetime are removed with
    the next upload of anyone's (imports.forget_checked).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("import"), max_length=60)
    name = models.CharField(_("file name"), max_length=255)
    digest = models.CharField(_("SHA-256"), max_length=64)
    content = models.BinaryField(_("content"))
    created_at = models.DateTimeField(_("checked at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("checked import file")
        verbose_name_plural = _("checked import files")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="checked_import_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.name}"


class SignOn(models.Model):
    """The region's identity for a login: the provider's subject, bound at the first
    sign-on. Later sign-ons open the login bound to the subject, whatever e-mail address a
    staff record has since been given; a login bound to one subject never opens for
    another (an address typed onto someone else's record opens nothing)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_on"
    )
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    bound_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sign_on_subject_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.issuer})"
