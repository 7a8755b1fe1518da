"""Forms validate and normalise; layouts live here as crispy FormHelpers."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Field, Fieldset, Layout, Row
from django import forms
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .filters import query_id
from .models import PeerWorker, StaffMember, Unit, Versioned
from .services import RowEdits, not_in_future, not_in_past

if TYPE_CHECKING:
    pass

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

M = TypeVar("M", bound=models.Model)


def _key_is_an_id(field: forms.ModelChoiceField[Any]) -> bool:
    """Whether the field's choices are named by an integer column (an id)."""
    if field.queryset is None:
        return False
    meta = field.queryset.model._meta
    key = meta.get_field(field.to_field_name) if field.to_field_name else meta.pk
    while key.is_relation and key.target_field is not None:
        key = key.target_field
    return isinstance(key, models.IntegerField)


def _not_an_id(field: forms.ModelChoiceField[Any], value: Any) -> bool:
    """A posted value that cannot name a row: not plain digits, or past the largest id.
    Asked of the database, one past 64 bits is an OverflowError on SQLite (a 500)."""
    if value in field.empty_values or isinstance(value, models.Model):
        return False
    return _key_is_an_id(field) and query_id(str(value)) is None


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that refuses a value which cannot be an id with its usual "not one
    of the available choices", before asking the database."""

    def to_python(self, value: Any) -> Any:
        if _not_an_id(self, value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses a value which cannot be an id as not one of
    the available choices (Django's own check sends it to the database in an IN list)."""

    def clean(self, value: Any) -> Any:
        values = self.prepare_value(value)
        if isinstance(values, (list, tuple)):
            for one in values:
                if _not_an_id(self, one):
                    raise forms.ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": one},
                    )
        return super().clean(value)


def id_choice_formfield(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """A model form's field for `db_field`, with IdChoiceField / IdMultipleChoiceField for
    its relations: a ModelForm's `Meta.formfield_callback`."""
    if isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", IdMultipleChoiceField)
    elif isinstance(db_field, models.ForeignKey):
        kwargs.setdefault("form_class", IdChoiceField)
    return db_field.formfield(**kwargs)


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's field `name`, known to be a model choice field (a form's `fields` are
    plain Fields to the type checker)."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is not a model choice field")
    return field


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field `name`, known to be a choice field."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    return field


def label_choices(field: forms.ModelChoiceField[M], label: Callable[[M], str]) -> None:
    """Show each object of the field's choices as `label` writes it."""
    # Django asks the field's label_from_instance for each choice; replacing it on the one
    # field saves a ModelChoiceField subclass per label.
    field.label_from_instance = label  # type: ignore[assignment]


Rule = Callable[[], None]


def add_rule_errors(form: forms.BaseForm, rules: list[Rule]) -> None:
    """Run the rules a service holds (each raises ValidationError, by field or not) during
    the form's own validation, so that their errors come with the fields' in one pass, each
    on its field. A field that already has an error keeps only its own: the rule may have
    read a value the field refused."""
    for rule in rules:
        try:
            rule()
        except forms.ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    target = name if name in form.fields else None
                    if target is not None and target in form.errors:
                        continue
                    for error in errors:
                        form.add_error(target, error)
            else:
                form.add_error(None, exc)


def mark_errors(form: forms.BaseForm) -> None:
    """For a form drawn field by field in a template: each field with an error is marked
    invalid and pointed at its message (`<id>_error`), as crispy does for its own forms."""
    for name, errors in form.errors.items():
        if name not in form.fields or not errors:
            continue
        attrs = form.fields[name].widget.attrs
        attrs["aria-describedby"] = f"{form[name].auto_id}_error"
        attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()


class OnePassMixin:
    """A form that says every error at once: its fields', the model fields' own validators
    (ranges, lengths) on the values given, and the services' rules (`rules()`), each on its
    field. The service checks the same rules again when it saves."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    # The date fields that record what has happened (today or earlier), and those that plan
    # what is to come (today or later: judged when new or changed). docs/forms.md lists them.
    recorded: tuple[str, ...] = ()
    planned: tuple[str, ...] = ()

    def rules(self, cleaned: dict[str, Any]) -> list[Rule]:
        """The checks to run on the cleaned values (the fields that passed)."""
        return []

    def _date_rules(self, cleaned: dict[str, Any]) -> list[Rule]:
        found: list[Rule] = [partial(not_in_future, cleaned, name) for name in self.recorded]
        instance = getattr(self, "instance", None)
        stored = instance if instance is not None and instance.pk else None
        for name in self.planned:
            changed = cleaned.get(name) != getattr(stored, name, None)
            found.append(partial(not_in_past, cleaned, name, changed=changed))
        return found

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        meta = getattr(self, "_meta", None)
        if meta is not None and meta.model is not None:
            for name, value in list(cleaned.items()):
                try:
                    field = meta.model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue
                if value in field.empty_values or not hasattr(field, "run_validators"):
                    continue
                try:
                    field.run_validators(value)
                except forms.ValidationError as exc:
                    self.add_error(name, exc)  # type: ignore[attr-defined]
                    cleaned.pop(name, None)
        add_rule_errors(self, self._date_rules(cleaned) + self.rules(cleaned))  # type: ignore[arg-type]
        return cleaned


class VersionedFormMixin:
    """Carries the record's version through the form, so a concurrent save is noticed."""

    instance: Versioned
    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def add_version_field(self) -> None:
        initial = self.instance.version if self.instance.pk else 1
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=initial)

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class RowForm(VersionedFormMixin, forms.ModelForm):
    """One row of a list edited on one page (BaseRowFormSet), with the version a stored
    row was opened at; posted without one, a row is checked as it is read now."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.add_version_field()
            self.fields["version"].required = False


class BaseRowFormSet(forms.BaseModelFormSet):
    """A list of rows as one page shows them; `edits()` says what a save adds, changes
    and removes (services.rows_save applies it). `fields`: the rows' editable fields."""

    fields: tuple[str, ...] | list[str]

    def edits(self) -> RowEdits:
        edits = RowEdits()
        for form in self.forms:
            data = form.cleaned_data
            row, version = form.instance, data.get("version")
            if row.pk is not None and data.get("DELETE"):
                edits.removed.append((row, version))
            elif data.get("DELETE") or not set(form.changed_data) - {"version"}:
                continue
            elif row.pk is None:
                edits.added.append({name: data[name] for name in self.fields})
            else:
                edits.changed.append((row, version, {name: data[name] for name in self.fields}))
        return edits

    def add_error(self, message: str) -> None:
        """A refusal that concerns the whole list (someone saved a row meanwhile)."""
        self._non_form_errors = self.error_class(
            [*self.non_form_errors(), message], error_class="nonform"
        )


def form_helper(layout: Layout | None = None) -> FormHelper:
    """A crispy FormHelper without its own <form> tag (the template has it)."""
    helper = FormHelper()
    helper.form_tag = False
    if layout is not None:
        helper.layout = layout
    return helper


class UnitForm(VersionedFormMixin, forms.ModelForm):
    instance: Unit

    class Meta:
        model = Unit
        fields = ["name", "kind", "organisation", "leader", "active"]
        formfield_callback = id_choice_formfield
        error_messages = {"name": {"unique": _("A unit with this name already exists.")}}

    def __init__(self, *args: Any, may_choose_leader: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if may_choose_leader:
            # The leader is chosen among the unit's own active staff (not its peer workers).
            leaders = StaffMember.objects.filter(active=True).exclude(
                profession=StaffMember.Profession.PEER
            )
            if self.instance.pk:
                leaders = leaders.filter(unit=self.instance)
                self.fields["leader"].help_text = _(
                    "Choose among the unit's staff. Add the leader as a staff member first."
                )
            else:
                leaders = leaders.none()
                self.fields["leader"].help_text = _(
                    "Save the unit and add its staff first; then choose the leader here."
                )
            model_choice_field(self, "leader").queryset = leaders.select_related("unit")
        else:
            del self.fields["leader"]
            del self.fields["active"]
        self.add_version_field()
        self.helper = FormHelper()
        self.helper.form_tag = False


class StaffMemberForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = ["name", "email", "phone", "unit", "profession", "is_centre_staff", "active"]
        formfield_callback = id_choice_formfield
        error_messages = {
            "email": {"unique": _("A staff member with this e-mail address already exists.")}
        }

    def __init__(
        self,
        *args: Any,
        units: QuerySet[Unit] | None = None,
        may_set_centre: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            model_choice_field(self, "unit").queryset = units
        if not may_set_centre and "is_centre_staff" in self.fields:
            del self.fields["is_centre_staff"]
        if "profession" in self.fields and hasattr(self.instance, "peer"):
            # Employed as peer worker: the profession follows the employment.
            self.fields["profession"].disabled = True
            self.fields["profession"].help_text = _(
                "Employed as peer worker; end the employment to change the profession."
            )
        self.add_version_field()
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class PeerStaffForm(StaffMemberForm):
    """The person part of a new peer worker: profession is always peer worker."""

    class Meta(StaffMemberForm.Meta):
        fields = ["name", "email", "phone", "unit"]


class PeerWorkerForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = PeerWorker
        fields = [
            "start_date",
            "hours_per_week",
            "employment_form",
            "probation_months",
            "end_date",
            "end_reason",
            "end_reason_text",
            "lived_experience",
            "earlier_profession",
            "education",
        ]
        widgets = {"start_date": DATE_WIDGET, "end_date": DATE_WIDGET}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = self.fields["hours_per_week"]
        hours.widget.attrs.update(
            {
                "min": 1,
                "max": settings.PEER_MAX_HOURS,
                "data-cost-per-hour": settings.PEER_COST_PER_WEEKLY_HOUR_DKK,
                "data-recommended-min": settings.PEER_RECOMMENDED_MIN_HOURS,
            }
        )
        self.add_version_field()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("start_date"), Column("probation_months")),
            Row(Column(Field("hours_per_week")), Column("employment_form")),
            HTML('{% include "peerprogram/_hours_feedback.html" %}'),
            Fieldset(
                str(_("Background (never shown in a posting)")),
                "lived_experience",
                Row(Column("earlier_profession"), Column("education")),
            ),
            Fieldset(
                str(_("End of the employment")),
                Row(Column("end_date"), Column("end_reason")),
                "end_reason_text",
            ),
            "version",
        )

    def clean_hours_per_week(self) -> int:
        hours = self.cleaned_data["hours_per_week"]
        if hours is not None and not 1 <= hours <= settings.PEER_MAX_HOURS:
            raise forms.ValidationError(
                _("Hours per week must be between 1 and %(max)s."),
                params={"max": settings.PEER_MAX_HOURS},
                code="hours_range",
            )
        return hours

    def clean_probation_months(self) -> int:
        months = self.cleaned_data["probation_months"]
        if months is not None and months > 12:
            raise forms.ValidationError(_("Probation can be at most 12 months."))
        return months

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        reason = cleaned.get("end_reason")
        if end and not reason and "end_reason" not in self.errors:
            self.add_error(
                "end_reason",
                _("Choose why the employment ends (a temporary post: the post ended)."),
            )
        if reason and not end and "end_date" not in self.errors:
            self.add_error("end_date", _("Give the last day of the employment."))
        if reason == PeerWorker.EndReason.OTHER and not cleaned.get("end_reason_text"):
            self.add_error("end_reason_text", _("Say in words why the employment ends."))
        return cleaned


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "An Excel file (.xlsx), or a CSV file as Excel saves it: UTF-8 or Windows-1252, "
            "separated by semicolons, commas or tabs."
        ),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(
                _("The file must be a .csv or .xlsx file; %(name)s is neither."),
                params={"name": upload.name},
            )
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
