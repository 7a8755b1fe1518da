"""Import and export of units and staff (django-import-export).

Column headers are stable keys (`name`, `email`, ...); Danish headers are
accepted too. Choices are written as labels and read as labels (Danish or
English) or as keys, so an exported file can be imported again unchanged. Text that a
spreadsheet would run as a formula is exported with an apostrophe before it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Model, QuerySet, TextChoices
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import exceptions, fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader
from import_export.results import Error, Result
from tablib import Dataset

from .models import StaffMember, Unit, VersionedModel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
from .services import audit_many

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

# The columns as an exported file heads them (the files are in Danish, like the guides);
# an import reads them back through DANISH_HEADERS.
HEADINGS = {
    "name": "Navn",
    "kind": "Type",
    "organisation": "Organisation",
    "leader": "Leder",
    "active": "Aktiv",
    "email": "E-mail",
    "phone": "Telefon",
    "unit": "Enhed",
    "profession": "Faggruppe",
    "centre_staff": "Centermedarbejder",
}

SHEET_NAMES = {"units": "Enheder", "staff": "Medarbejdere"}

# Text a spreadsheet would run as a formula (=HYPERLINK(...) from a name someone typed):
# every export puts an apostrophe before it, which the spreadsheet shows as text, and every
# import takes it away again.
FORMULA_START = ("=", "+", "-", "@")


def formula_escaped(value: Any) -> Any:
    """The value as a spreadsheet cell that cannot be a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return f"'{value}"
    return value


def formula_unescaped(value: Any) -> Any:
    """The value formula_escaped was given."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] in FORMULA_START:
        return value[1:]
    return value


TRUE_WORDS = {"1", "ja", "j", "yes", "y", "true", "sand", "x"}
FALSE_WORDS = {"0", "nej", "n", "no", "false", "falsk"}


class ChoiceWidget(widgets.Widget):
    """Reads a choice from its key or its label in any of the site's languages."""

    def __init__(self, choices: type[TextChoices], **kwargs: Any) -> None:
        self.choices = choices
        self._by_text: dict[str, str] | None = None
        super().__init__(**kwargs)

    def reset(self) -> None:
        self._by_text = None

    def clean(self, value: Any, row: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        text = str(value or "").strip().lower()
        if not text:
            raise ValueError(_("This column must have a value."))
        if self._by_text is None:
            # Read once per import: switching language for every label of every row
            # took most of an import's time.
            self._by_text = {}
            for choice in self.choices:
                self._by_text.setdefault(choice.value.lower(), choice.value)
                for lang in ("da", "en"):
                    with translation.override(lang):
                        self._by_text.setdefault(str(choice.label).lower(), choice.value)
        if text in self._by_text:
            return self._by_text[text]
        allowed = ", ".join(str(c.label) for c in self.choices)
        raise ValueError(
            _("“%(value)s” is not one of the allowed values: %(allowed)s.")
            % {"value": value, "allowed": allowed}
        )

    def render(self, value: Any, obj: Model | None = None, **kwargs: Any) -> str:
        return str(self.choices(value).label) if value else ""


class YesNoWidget(widgets.Widget):
    def __init__(self, default: bool, **kwargs: Any) -> None:
        self.default = default
        super().__init__(**kwargs)

    def clean(self, value: Any, row: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
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

    def render(self, value: Any, obj: Model | None = None, **kwargs: Any) -> str:
        return _("yes") if value else _("no")


class LookupWidget(widgets.Widget):
    """Finds a related row by a unique text field, within the importer's reach.

    The candidates are read once per import (a file names the same few units many times).
    """

    def __init__(
        self, queryset: QuerySet[Any], field: str, not_found: StrOrPromise, **kwargs: Any
    ) -> None:
        self.queryset = queryset
        self.lookup_field = field
        self.not_found = not_found
        self._by_key: dict[str, Model] | None = None
        super().__init__(**kwargs)

    def reset(self) -> None:
        self._by_key = None

    def clean(self, value: Any, row: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
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

    def render(self, value: Any, obj: Model | None = None, **kwargs: Any) -> str:
        return getattr(value, self.lookup_field, "") if value else ""


class TextWidget(widgets.CharWidget):
    def clean(self, value: Any, row: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        return str(value if value is not None else "").strip()


class ScopedResource(resources.ModelResource):
    """Shared behaviour: Danish headers, duplicate keys in one file, the importer's reach,
    and an audit row for every row written.

    Rows are written in batches (bulk mode), each batch with one INSERT or UPDATE and one
    INSERT of its audit rows. A row is checked completely (the widgets, the model's
    full_clean, our own rules) before it joins a batch, so a batch only fails on something
    the database itself refuses (a row added meanwhile by someone else); the rows it
    refuses are then named, and `run_import` rolls the whole file back. Bulk writes skip
    the model's save(), so what save() does is done here: the version moves on
    (`before_save_instance`), the e-mail is stored lowercased
    (`StaffResource.before_save_instance`).
    """

    key_column: str = ""
    by: User | None = None
    label = "import"

    class Meta:
        use_bulk = True
        # 100 rows of at most 9 columns stay below SQLite's 999 parameters per query.
        batch_size = 100

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self._seen_keys: dict[str, int] = {}
        self._waiting: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
        self._import_fields: list[fields.Field] | None = None
        self._stored_values: list[Any] = []

    def skip_row_diffs(self) -> None:
        """No copy and diff of each row (the admin's import shows them; our own preview
        lists the file's values): copying every row took a fifth of an import's time.
        Unchanged rows are still skipped, see skip_row."""
        self._meta = copy.copy(type(self)._meta)  # the options are shared by the class
        self._meta.skip_diff = True

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> Any:
        # Every cell of every export of these rows, the Django admin's included: it writes
        # what the resource gives it (our own export page also escapes the whole file).
        return formula_escaped(super().export_field(field, instance, **kwargs))

    def get_import_fields(self) -> list[fields.Field]:
        # Asked several times for every row; the fields stay the same during an import.
        if self._import_fields is None:
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def import_instance(self, instance: Any, row: dict[str, Any], **kwargs: Any) -> None:
        if self._meta.skip_diff and not instance._state.adding:
            self._stored_values = [f.get_value(instance) for f in self.get_import_fields()]
        super().import_instance(instance, row, **kwargs)

    def skip_row(
        self,
        instance: Any,
        original: Any,
        row: dict[str, Any],
        import_validation_errors: dict[str, Any] | None = None,
    ) -> bool:
        if not self._meta.skip_diff:
            return super().skip_row(instance, original, row, import_validation_errors)
        # Without the copy of the row, compare with the values it had before the file's.
        # A new row is never unchanged: it is written, or refused.
        if not self._meta.skip_unchanged or import_validation_errors or instance._state.adding:
            return False
        return all(
            field.get_value(instance) == stored
            for field, stored in zip(self.get_import_fields(), self._stored_values, strict=True)
        )

    def before_save_instance(self, instance: Any, row: dict[str, Any], **kwargs: Any) -> None:
        if not instance._state.adding and isinstance(instance, VersionedModel):
            instance.version += 1  # as VersionedModel.save does, which bulk_update skips

    def save_instance(
        self, instance: Any, is_create: bool, row: dict[str, Any], **kwargs: Any
    ) -> None:
        # As import-export's own bulk mode, except that after_save_instance waits until
        # the row's batch (and its audit rows) is in the database: see _write_batch.
        self.before_save_instance(instance, row, **kwargs)
        (self.create_instances if is_create else self.update_instances).append(instance)
        self._waiting[id(instance)] = (row, dict(kwargs))

    def model_class(self) -> type[Model]:
        """Meta.model, which our resources always name by its class."""
        model = self._meta.model
        if isinstance(model, str):
            raise TypeError("name the resource's model by its class")
        return model

    def get_bulk_update_fields(self) -> list[str]:
        ids = set(self.get_import_id_fields())
        names = [f.attribute for name, f in self.fields.items() if name not in ids and f.attribute]
        if issubclass(self.model_class(), VersionedModel):
            names.append("version")
        return names

    def bulk_create(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Result | None = None,
    ) -> None:
        batch, self.create_instances = self.create_instances, []
        objects = self.model_class()._default_manager
        self._write_batch(
            batch,
            "created",
            lambda rows: objects.bulk_create(rows, batch_size=batch_size),
            using_transactions=using_transactions,
            dry_run=dry_run,
            raise_errors=raise_errors,
            result=result,
        )

    def bulk_update(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Result | None = None,
    ) -> None:
        batch, self.update_instances = self.update_instances, []
        objects, names = self.model_class()._default_manager, self.get_bulk_update_fields()
        self._write_batch(
            batch,
            "updated",
            lambda rows: objects.bulk_update(rows, names, batch_size=batch_size),
            using_transactions=using_transactions,
            dry_run=dry_run,
            raise_errors=raise_errors,
            result=result,
        )

    def _write_batch(
        self,
        batch: list[Model],
        summary: str,
        write: Callable[[list[Model]], object],
        *,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        result: Result | None,
    ) -> None:
        """Write a batch and its audit rows, then run each row's after_save_instance."""
        waiting = [self._waiting.pop(id(instance)) for instance in batch]
        if not batch or (dry_run and not using_transactions):
            return
        try:
            # A savepoint of its own, so that after a refusal the rows can be tried alone.
            with transaction.atomic(using=self.get_db_connection_name()):
                write(batch)
                if not dry_run:
                    audit_many(
                        by=self.by, action=f"{self.label}_import", objects=batch, summary=summary
                    )
        except DatabaseError as exc:
            # Nothing of the batch was written, and the import is rolled back.
            refused = self._refused_rows(batch, waiting, write)
            for error in refused or [self.get_error_result_class()(exc)]:
                if result is not None:
                    result.append_base_error(error)
            if raise_errors:
                raise exceptions.ImportError(exc) from exc
            return
        for instance, (row, kwargs) in zip(batch, waiting, strict=True):
            self.after_save_instance(instance, row, **kwargs)

    def _refused_rows(
        self,
        batch: list[Model],
        waiting: Sequence[tuple[dict[str, Any], dict[str, Any]]],
        write: Callable[[list[Model]], object],
    ) -> list[Error]:
        """The rows of a refused batch that the database refuses alone (each written and
        undone again), so that the problem names its row as a row-by-row import would."""
        refused: list[Error] = []
        for instance, (row, kwargs) in zip(batch, waiting, strict=True):
            try:
                with transaction.atomic(using=self.get_db_connection_name()):
                    write([instance])
                    transaction.set_rollback(True, using=self.get_db_connection_name())
            except DatabaseError as exc:
                refused.append(
                    self.get_error_result_class()(exc, row=row, number=kwargs.get("row_number"))
                )
        return refused

    def validate_instance(
        self,
        instance: Any,
        import_validation_errors: dict[str, Any] | None = None,
        validate_unique: bool = True,
    ) -> None:
        """The model's full_clean without its per-row queries: a relation read from the
        database (by a LookupWidget, or with the loaded row) exists, and the uniqueness of
        a new row is checked by `check_unique`."""
        errors = dict(import_validation_errors or {})
        if not self._meta.clean_model_instances:
            if errors:
                raise ValidationError(errors)
            return
        known = [
            f.name
            for f in instance._meta.concrete_fields
            if f.is_relation and getattr(instance, f.attname) is not None
        ]
        try:
            instance.full_clean(
                exclude=[*errors, *known], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if instance._state.adding and validate_unique:
            try:
                self.check_unique(instance, exclude=set(errors))
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def check_unique(self, instance: Any, *, exclude: set[str]) -> None:
        """A new row's unique fields and constraints, asked of the database as full_clean
        asks (an existing row keeps its key, so it cannot collide)."""
        errors: dict[str, Any] = {}
        try:
            instance.validate_unique(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            instance.validate_constraints(exclude=exclude | set(errors))
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def before_import(self, dataset: Dataset, **kwargs: Any) -> None:
        self._seen_keys = {}
        self._waiting = {}
        self._import_fields = None
        for field in self.fields.values():
            if isinstance(field.widget, LookupWidget | ChoiceWidget):
                field.widget.reset()
        dataset.headers = [
            DANISH_HEADERS.get(str(h or "").strip().lower(), str(h or "").strip().lower())
            for h in dataset.headers
        ]
        # What export_field escaped reads back as it was, in the admin's import too (our
        # own import page has done so already in imports.read_dataset; twice changes nothing).
        for number, values in enumerate(list(dataset)):
            plain = tuple(formula_unescaped(v) for v in values)
            if plain != tuple(values):
                dataset[number] = plain
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

    def normalise_key(self, value: Any) -> str:
        return str(value if value is not None else "").strip()

    def column_for(self, attribute: str) -> str:
        for field in self.get_import_fields():
            if field.attribute == attribute:
                return field.column_name or attribute
        return attribute

    def required_columns(self) -> list[str]:
        return [self.key_column]

    def check_duplicate_key(self, row: Mapping[str, Any], row_number: int) -> None:
        key = str(row.get(self.key_column) or "").strip().lower()
        if not key:
            return
        if key in self._seen_keys:
            raise ValidationError(
                {
                    self.fields[self.key_column].attribute or self.key_column: _(
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

    def get_queryset(self) -> QuerySet[Unit]:
        # The loaded rows carry their leader, which skip_row compares.
        return super().get_queryset().select_related("leader")

    def required_columns(self) -> list[str]:
        return ["name", "kind", "organisation"]

    def import_instance(self, instance: Any, row: dict[str, Any], **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        self.check_duplicate_key(row, kwargs.get("row_number", 0))

    def get_export_queryset(self, request: HttpRequest | None = None) -> QuerySet[Unit]:
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

    def __init__(
        self, *, units: QuerySet[Unit] | None = None, may_set_centre: bool = True, **kwargs: Any
    ) -> None:
        # The admin's import passes its form (and more) as keyword arguments.
        super().__init__(**kwargs)
        self.units = units if units is not None else Unit.objects.all()
        self.may_set_centre = may_set_centre
        self.fields["unit"].widget = LookupWidget(
            self.units,
            "name",
            _("There is no unit named “%(value)s” that you may add staff to."),
        )
        self._unit_ids: set[int] | None = None
        self._leaders_elsewhere: set[int] | None = None
        self._taken_emails: set[str] | None = None
        self._file_emails: list[str] = []

    def get_queryset(self) -> QuerySet[StaffMember]:
        # The loaded rows carry what import_instance and skip_row read of them.
        return super().get_queryset().select_related("unit", "peer")

    def required_columns(self) -> list[str]:
        return ["name", "email", "unit", "profession"]

    def normalise_key(self, value: Any) -> str:
        return super().normalise_key(value).lower()

    def before_import(self, dataset: Dataset, **kwargs: Any) -> None:
        super().before_import(dataset, **kwargs)
        self._unit_ids = None
        self._leaders_elsewhere = None
        self._taken_emails = None
        self._file_emails = []
        if "email" in dataset.headers:
            index = dataset.headers.index("email")
            self._file_emails = sorted({values[index] for values in dataset if values[index]})

    def before_save_instance(self, instance: Any, row: dict[str, Any], **kwargs: Any) -> None:
        super().before_save_instance(instance, row, **kwargs)
        # As StaffMember.save does, which bulk writes skip.
        instance.email = instance.email.strip().lower()

    def check_unique(self, instance: Any, *, exclude: set[str]) -> None:
        """The e-mail is the only unique field a row sets: the file's e-mails already
        stored (ignoring case) are read with one query. The check constraint asks for a
        name and an e-mail, which the fields' own checks require."""
        if "email" in exclude:
            return
        if self._taken_emails is None:
            self._taken_emails = set(
                StaffMember.objects.annotate(key=Lower("email"))
                .filter(key__in=self._file_emails)
                .order_by()
                .values_list("key", flat=True)
            )
        if instance.email.lower() in self._taken_emails:
            raise ValidationError({"email": instance.unique_error_message(StaffMember, ("email",))})

    def _outside_units(self, member: StaffMember) -> bool:
        if self._unit_ids is None:
            self._unit_ids = set(self.units.values_list("pk", flat=True))
        return member.unit_id not in self._unit_ids

    def _leads_elsewhere(self, member: StaffMember) -> bool:
        if self._leaders_elsewhere is None:
            self._leaders_elsewhere = set(
                Unit.objects.exclude(pk__in=self.units.values("pk"))
                .filter(leader__isnull=False)
                .values_list("leader_id", flat=True)
            )
        return member.pk in self._leaders_elsewhere

    def import_instance(self, instance: Any, row: dict[str, Any], **kwargs: Any) -> None:
        # The rules below read sets loaded once per import, not the database per row.
        if instance.pk and self._outside_units(instance):
            raise ValidationError(
                {"email": _("This e-mail belongs to a staff member outside your units.")}
            )
        if (
            instance.pk
            and not self.may_set_centre
            and (instance.is_centre_staff or self._leads_elsewhere(instance))
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
        if was_profession and instance.profession != was_profession and hasattr(instance, "peer"):
            raise ValidationError(
                {"profession": _("This person is employed as peer worker; the profession stays.")}
            )

    def get_export_queryset(self, request: HttpRequest | None = None) -> QuerySet[StaffMember]:
        return StaffMember.objects.filter(unit__in=self.units).select_related("unit")
