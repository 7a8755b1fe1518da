"""Import and export of units and staff (django-import-export).

Column headers are stable keys (`name`, `email`, ...); Danish headers are
accepted too. Choices are written as labels and read as labels (Danish or
English) or as keys, so an exported file can be imported again unchanged.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, TextChoices
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader

from .models import StaffMember, Unit
from .services import audit

DANISH_HEADERS = {
    "navn": "name",
    "type": "kind",
    "organisation": "organisation",
    "region/organisation": "organisation",
    "leder": "leader",
    "aktiv": "active",
    "e-mail": "email",
    "telefon": "phone",
    "enhed": "unit",
    "faggruppe": "profession",
    "centermedarbejder": "centre_staff",
}

TRUE_WORDS = {"1", "ja", "j", "yes", "y", "true", "sand", "x"}
FALSE_WORDS = {"0", "nej", "n", "no", "false", "falsk"}


class ChoiceWidget(widgets.Widget):
    """Reads a choice from its key or its label in any of the site's languages."""

    def __init__(self, choices: type[TextChoices], **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip().lower()
        if not text:
            raise ValueError(_("This column must have a value."))
        for choice in self.choices:
            candidates = {choice.value.lower()}
            for lang in ("da", "en"):
                with translation.override(lang):
                    candidates.add(str(choice.label).lower())
            if text in candidates:
                return choice.value
        allowed = ", ".join(str(c.label) for c in self.choices)
        raise ValueError(
            _("“%(value)s” is not one of the allowed values: %(allowed)s.")
            % {"value": value, "allowed": allowed}
        )

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


class YesNoWidget(widgets.Widget):
    def __init__(self, default: bool, **kwargs):
        self.default = default
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().lower()
        if text == "":
            return self.default
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValueError(
            _("Write “ja” or “nej” (or leave it empty); “%(value)s” is neither.") % {"value": value}
        )

    def render(self, value, obj=None, **kwargs):
        return _("yes") if value else _("no")


class LookupWidget(widgets.Widget):
    """Finds a related row by a unique text field, within the importer's reach.

    The candidates are read once per import (a file names the same few units many times).
    """

    def __init__(self, queryset: QuerySet, field: str, not_found: str, **kwargs):
        self.queryset = queryset
        self.lookup_field = field
        self.not_found = not_found
        self._by_key: dict[str, object] | None = None
        super().__init__(**kwargs)

    def reset(self) -> None:
        self._by_key = None

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None
        if self._by_key is None:
            self._by_key = {
                str(getattr(obj, self.lookup_field)).lower(): obj for obj in self.queryset.all()
            }
        match = self._by_key.get(text.lower())
        if match is None:
            raise ValueError(self.not_found % {"value": text})
        return match

    def render(self, value, obj=None, **kwargs):
        return getattr(value, self.lookup_field, "") if value else ""


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return str(value if value is not None else "").strip()


class ScopedResource(resources.ModelResource):
    """Shared behaviour: Danish headers, duplicate keys in one file, the importer's reach,
    and an audit row for every row written."""

    key_column: str = ""
    by = None
    label = "import"

    def __init__(self, **kwargs):
        super().__init__()
        self._seen_keys: dict[str, int] = {}

    def after_save_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run"):
            action = "created" if instance.version == 1 else "updated"
            audit(by=self.by, action=f"{self.label}_import", obj=instance, summary=action)

    def before_import(self, dataset, **kwargs):
        self._seen_keys = {}
        for field in self.fields.values():
            if isinstance(field.widget, LookupWidget):
                field.widget.reset()
        dataset.headers = [
            DANISH_HEADERS.get(str(h or "").strip().lower(), str(h or "").strip().lower())
            for h in dataset.headers
        ]
        if self.key_column in dataset.headers:
            # The key finds existing rows (all at once, see CachedInstanceLoader),
            # so it is normalised the way the model stores it.
            index = dataset.headers.index(self.key_column)
            for number, values in enumerate(list(dataset)):
                key = self.normalise_key(values[index])
                if key != values[index]:
                    values = list(values)
                    values[index] = key
                    dataset[number] = tuple(values)

    def normalise_key(self, value):
        return str(value if value is not None else "").strip()

    def column_for(self, attribute: str) -> str:
        for field in self.get_import_fields():
            if field.attribute == attribute:
                return field.column_name
        return attribute

    def required_columns(self) -> list[str]:
        return [self.key_column]

    def check_duplicate_key(self, row, row_number) -> None:
        key = str(row.get(self.key_column) or "").strip().lower()
        if not key:
            return
        if key in self._seen_keys:
            raise ValidationError(
                {
                    self.fields[self.key_column].attribute: _(
                        "The same value also stands in row %(row)s of this file."
                    )
                    % {"row": self._seen_keys[key] + 1}
                }
            )
        self._seen_keys[key] = row_number


class UnitResource(ScopedResource):
    key_column = "name"
    name = fields.Field("name", "name", widget=TextWidget())
    kind = fields.Field("kind", "kind", widget=ChoiceWidget(Unit.Kind))
    organisation = fields.Field("organisation", "organisation", widget=TextWidget())
    leader = fields.Field(
        "leader",
        "leader",
        widget=LookupWidget(
            StaffMember.objects.filter(active=True),
            "email",
            gettext_lazy("No staff member has the e-mail address %(value)s."),
        ),
    )
    active = fields.Field("active", "active", widget=YesNoWidget(default=True))

    class Meta:
        model = Unit
        fields = ("name", "kind", "organisation", "leader", "active")
        import_id_fields = ("name",)
        instance_loader_class = CachedInstanceLoader
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def required_columns(self) -> list[str]:
        return ["name", "kind", "organisation"]

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        self.check_duplicate_key(row, kwargs.get("row_number", 0))

    def get_export_queryset(self, request=None):
        return Unit.objects.select_related("leader").order_by("name")


class StaffResource(ScopedResource):
    """Staff rows; a leader's import is limited to the units they lead."""

    key_column = "email"
    name = fields.Field("name", "name", widget=TextWidget())
    email = fields.Field("email", "email", widget=TextWidget())
    phone = fields.Field("phone", "phone", widget=TextWidget())
    unit = fields.Field("unit", "unit")
    profession = fields.Field(
        "profession", "profession", widget=ChoiceWidget(StaffMember.Profession)
    )
    centre_staff = fields.Field(
        "is_centre_staff", "centre_staff", widget=YesNoWidget(default=False)
    )
    active = fields.Field("active", "active", widget=YesNoWidget(default=True))

    class Meta:
        model = StaffMember
        fields = ("name", "email", "phone", "unit", "profession", "centre_staff", "active")
        import_id_fields = ("email",)
        instance_loader_class = CachedInstanceLoader
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, *, units: QuerySet[Unit] | None = None, may_set_centre: bool = True):
        super().__init__()
        self.units = units if units is not None else Unit.objects.all()
        self.may_set_centre = may_set_centre
        self.fields["unit"].widget = LookupWidget(
            self.units,
            "name",
            _("There is no unit named “%(value)s” that you may add staff to."),
        )

    def required_columns(self) -> list[str]:
        return ["name", "email", "unit", "profession"]

    def normalise_key(self, value):
        return super().normalise_key(value).lower()

    def import_instance(self, instance, row, **kwargs):
        if instance.pk and not self.units.filter(pk=instance.unit_id).exists():
            raise ValidationError(
                {"email": _("This e-mail belongs to a staff member outside your units.")}
            )
        if (
            instance.pk
            and not self.may_set_centre
            and (
                instance.is_centre_staff
                or instance.led_units.exclude(pk__in=self.units.values("pk")).exists()
            )
        ):
            raise ValidationError(
                {
                    "email": _(
                        "This person is Centre staff or leads another unit; only Centre staff "
                        "and administrators can change them."
                    )
                }
            )
        was_profession = instance.profession if instance.pk else None
        was_centre = instance.is_centre_staff
        super().import_instance(instance, row, **kwargs)
        self.check_duplicate_key(row, kwargs.get("row_number", 0))
        if not self.may_set_centre and instance.is_centre_staff != was_centre:
            raise ValidationError(
                {"is_centre_staff": _("Only Centre staff and administrators can change this.")}
            )
        if was_profession and hasattr(instance, "peer") and instance.profession != was_profession:
            raise ValidationError(
                {"profession": _("This person is employed as peer worker; the profession stays.")}
            )

    def get_export_queryset(self, request=None):
        return StaffMember.objects.filter(unit__in=self.units).select_related("unit")
