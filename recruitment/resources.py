"""Import of applicants for one vacancy (CSV/XLSX), through the same preview-and-confirm
flow as units and staff."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _
from import_export import fields, widgets
from import_export.instance_loaders import BaseInstanceLoader
from tablib import Dataset

from peerprogram.resources import ScopedResource, TextWidget

from .models import Applicant, StageChange, Vacancy

DANISH_APPLICANT_HEADERS = {
    "navn": "name",
    "e-mail": "email",
    "telefon": "phone",
    "modtaget": "received_on",
    "motivation": "motivation",
    "recovery": "recovery",
    "robusthed": "robustness",
    "parathed": "readiness",
}


class FlexibleDateWidget(widgets.Widget):
    """Dates as 2026-03-01, 1.3.2026, 01-03-2026, or a spreadsheet date."""

    FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y")

    def clean(
        self, value: Any, row: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> datetime.date | None:
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        for fmt in self.FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(
            _("“%(value)s” is not a date. Write it as 31.12.2026 or 2026-12-31.") % {"value": value}
        )

    def render(self, value: Any, obj: Model | None = None, **kwargs: Any) -> str:
        return value.isoformat() if value else ""


class ApplicantResource(ScopedResource):
    key_column = "email"
    name = fields.Field("name", "name", widget=TextWidget())
    email = fields.Field("email", "email", widget=TextWidget())
    phone = fields.Field("phone", "phone", widget=TextWidget())
    received_on = fields.Field("received_on", "received_on", widget=FlexibleDateWidget())
    motivation = fields.Field("motivation", "motivation", widget=TextWidget())
    recovery = fields.Field("recovery", "recovery", widget=TextWidget())
    robustness = fields.Field("robustness", "robustness", widget=TextWidget())
    readiness = fields.Field("readiness", "readiness", widget=TextWidget())

    class Meta:
        model = Applicant
        fields = (
            "name",
            "email",
            "phone",
            "received_on",
            "motivation",
            "recovery",
            "robustness",
            "readiness",
        )
        import_id_fields = ("email",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, *, vacancy: Vacancy) -> None:
        super().__init__()
        self.vacancy = vacancy

    def required_columns(self) -> list[str]:
        return ["name"]

    def before_import(self, dataset: Dataset, **kwargs: Any) -> None:
        dataset.headers = [
            DANISH_APPLICANT_HEADERS.get(str(h or "").strip().lower(), str(h or "").strip())
            for h in dataset.headers
        ]
        if "email" not in dataset.headers:
            # E-mail is optional for applicants; without the column every row is new.
            dataset.append_col([""] * len(dataset), header="email")
        super().before_import(dataset, **kwargs)

    def normalise_key(self, value: Any) -> str:
        return super().normalise_key(value).lower()

    def get_instance(
        self, instance_loader: BaseInstanceLoader, row: dict[str, Any]
    ) -> Applicant | None:
        # An applicant is found again by e-mail within this vacancy; no e-mail: a new one.
        email = str(row.get("email") or "").strip().lower()
        if not email:
            return None
        return Applicant.objects.filter(vacancy=self.vacancy, email=email).first()

    def init_instance(self, row: dict[str, Any] | None = None) -> Applicant:
        return Applicant(vacancy=self.vacancy)

    def import_instance(self, instance: Any, row: dict[str, Any], **kwargs: Any) -> None:
        if instance.pk:
            # An import only adds applicants; changes are made on the applicant's page,
            # where a concurrent edit is noticed.
            raise ValidationError(
                {"email": _("This applicant is already registered; change them on their page.")}
            )
        super().import_instance(instance, row, **kwargs)
        if instance.received_on is None:
            instance.received_on = datetime.date.today()
        self.check_duplicate_key(row, kwargs.get("row_number", 0))

    def after_save_instance(self, instance: Any, row: dict[str, Any], **kwargs: Any) -> None:
        if kwargs.get("dry_run"):
            return
        if not instance.stage_changes.exists():
            StageChange.objects.create(applicant=instance, to_stage=instance.stage, by=self.by)
        super().after_save_instance(instance, row, **kwargs)
