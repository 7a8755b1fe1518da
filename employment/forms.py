from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerprogram.forms import DATE_WIDGET, VersionedFormMixin
from peerprogram.models import PeerWorker

from .models import HOURS_FIELDS, TEXT_FIELDS, ContactRoute, FunctionDescription, FunctionTemplate
from .services import problems


def _helper(layout: Layout | None = None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    if layout is not None:
        helper.layout = layout
    return helper


_TEXTAREA = {name: forms.Textarea(attrs={"rows": 4}) for name in TEXT_FIELDS}


class TemplateForm(VersionedFormMixin, forms.ModelForm):
    instance: FunctionTemplate

    class Meta:
        model = FunctionTemplate
        fields = TEXT_FIELDS
        widgets = _TEXTAREA

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_version_field()
        self.helper = _helper()


class DescriptionForm(VersionedFormMixin, forms.ModelForm):
    """A draft's every part; the rules of the service are checked here too, so that every
    error shows at once, each on its field."""

    instance: FunctionDescription

    contact_routes = forms.MultipleChoiceField(
        label=_("Agreed ways of contact"),
        choices=ContactRoute.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = FunctionDescription
        fields = [
            "purpose",
            "values",
            *HOURS_FIELDS,
            "other_tasks",
            "not_tasks",
            "criteria",
            "contact_routes",
            "referral_agreement",
            "review_on",
        ]
        widgets = {**_TEXTAREA, "review_on": DATE_WIDGET}

    def __init__(self, *args: Any, peer: PeerWorker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.peer = peer
        for name in HOURS_FIELDS:
            self.fields[name].widget.attrs.update({"min": 0, "max": 37})
        self.add_version_field()
        self.helper = _helper(
            Layout(
                "purpose",
                "values",
                Fieldset(
                    str(_("Tasks and hours a week")),
                    HTML('{% include "employment/_hours_help.html" %}'),
                    Row(*(Column(name, css_class="col-6 col-md-3") for name in HOURS_FIELDS)),
                    "other_tasks",
                ),
                "not_tasks",
                "criteria",
                Fieldset(str(_("Referral agreement")), "contact_routes", "referral_agreement"),
                Row(Column("review_on", css_class="col-md-4")),
                "version",
            )
        )

    def clean_review_on(self) -> Any:
        day = self.cleaned_data["review_on"]
        if day and day <= timezone.localdate():
            raise ValidationError(_("The review date must be after today."))
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        candidate = FunctionDescription(peer=self.peer)
        for name in self.Meta.fields:
            value = cleaned.get(name)
            if value is not None:
                setattr(candidate, name, value)
        for field, errors in problems(candidate).items():
            if field in self.fields and field not in self.errors:
                for error in errors:
                    self.add_error(field, error)
        return cleaned
