from __future__ import annotations

import copy
import string
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row
from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from peerprogram.forms import (
    DATE_WIDGET,
    OnePassMixin,
    Rule,
    VersionedFormMixin,
    id_choice_formfield,
    label_choices,
    model_choice_field,
)
from peerprogram.models import PeerWorker, StaffMember, Unit
from peerprogram.services import not_in_past

from . import services
from .models import (
    Applicant,
    Assessment,
    ChecklistItem,
    ChecklistTemplateItem,
    CommitteeMember,
    Interview,
    PostingTemplate,
    ReferenceCheck,
    Vacancy,
)


def _helper(layout: Layout | None = None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    if layout is not None:
        helper.layout = layout
    return helper


def _hours_widget_attrs(field: forms.Field) -> None:
    field.widget.attrs.update(
        {
            "min": 1,
            "max": settings.PEER_MAX_HOURS,
            "data-cost-per-hour": settings.PEER_COST_PER_WEEKLY_HOUR_DKK,
            "data-recommended-min": settings.PEER_RECOMMENDED_MIN_HOURS,
        }
    )


def clean_hours(hours: int | None) -> int | None:
    if hours is not None and not 1 <= hours <= settings.PEER_MAX_HOURS:
        raise forms.ValidationError(
            _("Hours per week must be between 1 and %(max)s."),
            params={"max": settings.PEER_MAX_HOURS},
        )
    return hours


class VacancyForm(OnePassMixin, VersionedFormMixin, forms.ModelForm):
    instance: Vacancy

    class Meta:
        model = Vacancy
        formfield_callback = id_choice_formfield
        fields = [
            "unit",
            "title",
            "hours_per_week",
            "employment_form",
            "planned_start_date",
            "application_deadline",
            "contact_person",
        ]
        widgets = {"planned_start_date": DATE_WIDGET, "application_deadline": DATE_WIDGET}

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "unit").queryset = units
        if self.instance.pk:
            del self.fields["unit"]
            contacts = StaffMember.objects.filter(
                active=True, unit_id=self.instance.unit_id
            ) | StaffMember.objects.filter(active=True, is_centre_staff=True)
        else:
            contacts = StaffMember.objects.filter(active=True).filter(
                unit__in=units
            ) | StaffMember.objects.filter(active=True, is_centre_staff=True)
        contact = model_choice_field(self, "contact_person")
        contact.queryset = contacts.select_related("unit").order_by("name")
        label_choices(contact, lambda m: f"{m.name} ({m.unit})")
        self.fields["title"].initial = _("Peer worker")
        _hours_widget_attrs(self.fields["hours_per_week"])
        self.add_version_field()
        parts = ["unit"] if "unit" in self.fields else []
        self.helper = _helper(
            Layout(
                *parts,
                "title",
                Row(Column("hours_per_week"), Column("employment_form")),
                HTML('{% include "peerprogram/_hours_feedback.html" %}'),
                Row(Column("application_deadline"), Column("planned_start_date")),
                "contact_person",
                "version",
            )
        )

    def clean_hours_per_week(self) -> int | None:
        return clean_hours(self.cleaned_data["hours_per_week"])

    def rules(self, cleaned: dict[str, Any]) -> list[Rule]:
        new = not self.instance.pk
        vacancy = copy.copy(self.instance)
        for name, value in cleaned.items():
            if name != "version":
                setattr(vacancy, name, value)
        deadline_changed = vacancy.application_deadline != self.instance.application_deadline
        return [
            lambda: services.check_vacancy(vacancy, new=new or deadline_changed),
            lambda: not_in_past(
                cleaned,
                "planned_start_date",
                changed=new
                or (cleaned.get("planned_start_date") != self.instance.planned_start_date),
            ),
        ]


class PostingForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Vacancy
        fields = ["posting_text"]
        widgets = {"posting_text": forms.Textarea(attrs={"rows": 22})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_version_field()
        self.helper = _helper()


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Vacancy.Status.choices)


class CommitteeMemberForm(forms.ModelForm):
    class Meta:
        model = CommitteeMember
        formfield_callback = id_choice_formfield
        fields = ["staff_member", "seat"]

    def __init__(self, *args: Any, vacancy: Vacancy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taken = vacancy.committee.values_list("staff_member_id", flat=True)
        # The unit's own staff, the Centre's staff, and peer workers of other units.
        reach = Q(unit_id=vacancy.unit_id) | Q(is_centre_staff=True) | Q(peer__isnull=False)
        model_choice_field(self, "staff_member").queryset = (
            StaffMember.objects.filter(reach, active=True)
            .exclude(pk__in=taken)
            .select_related("unit")
            .order_by("unit__name", "name")
        )
        label_choices(
            model_choice_field(self, "staff_member"),
            lambda m: f"{m.name} – {m.get_profession_display()}, {m.unit}",
        )
        self.helper = _helper(Layout(Row(Column("staff_member"), Column("seat"))))


class ApplicantForm(OnePassMixin, VersionedFormMixin, forms.ModelForm):
    recorded = ("received_on",)

    class Meta:
        model = Applicant
        fields = ["name", "email", "phone", "received_on"]
        widgets = {"received_on": DATE_WIDGET}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_version_field()
        self.helper = _helper(
            Layout("name", Row(Column("email"), Column("phone")), "received_on", "version")
        )


class QuestionnaireForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Applicant
        fields = ["motivation", "recovery", "robustness", "readiness"]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in fields}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["motivation"].help_text = _("Why does the applicant want this work?")
        self.add_version_field()
        self.helper = _helper()


class DecisionForm(OnePassMixin, VersionedFormMixin, forms.ModelForm):
    recorded = ("answer_given_on",)

    class Meta:
        model = Applicant
        fields = ["decision_reason", "answer_given_on"]
        widgets = {
            "decision_reason": forms.Textarea(attrs={"rows": 3}),
            "answer_given_on": DATE_WIDGET,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_version_field()
        self.helper = _helper()


class MoveForm(forms.Form):
    to_stage = forms.ChoiceField(
        label=_("Move to"),
        choices=[(s.value, s.label) for s in Applicant.Stage if s != Applicant.Stage.HIRED],
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class InterviewForm(OnePassMixin, forms.ModelForm):
    video_link = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    class Meta:
        model = Interview
        formfield_callback = id_choice_formfield
        fields = ["starts_at", "place", "video_link", "present"]
        widgets = {"present": forms.CheckboxSelectMultiple}

    def __init__(
        self, *args: Any, vacancy: Vacancy, applicant: Applicant | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.applicant = applicant
        present = model_choice_field(self, "present")
        present.queryset = vacancy.committee.select_related("staff_member")
        self.helper = _helper(
            Layout("starts_at", Row(Column("place"), Column("video_link")), "present")
        )

    def rules(self, cleaned: dict[str, Any]) -> list[Rule]:
        found: list[Rule] = [lambda: not_in_past(cleaned, "starts_at")]
        if self.applicant is not None:
            applicant = self.applicant
            found.append(lambda: services.check_interview(applicant, cleaned.get("starts_at")))
        return found

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("place") and not cleaned.get("video_link"):
            self.add_error("place", _("Give a place or a video link."))
        return cleaned


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["recovery_reflection", "assessment", "recommendation"]
        widgets = {
            "recovery_reflection": forms.Textarea(attrs={"rows": 4}),
            "assessment": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ReferenceForm(OnePassMixin, forms.ModelForm):
    recorded = ("checked_on",)

    class Meta:
        model = ReferenceCheck
        fields = ["referee", "checked_on", "summary"]
        widgets = {"checked_on": DATE_WIDGET, "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class HireForm(forms.Form):
    start_date = forms.DateField(label=_("Start date"), widget=DATE_WIDGET)
    hours_per_week = forms.IntegerField(label=_("Hours per week"))
    employment_form = forms.ChoiceField(
        label=_("Employment form"), choices=PeerWorker.EmploymentForm.choices
    )
    probation_months = forms.IntegerField(
        label=_("Probation (months)"), initial=3, min_value=0, max_value=12
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _hours_widget_attrs(self.fields["hours_per_week"])
        self.helper = _helper(
            Layout(
                Row(Column("start_date"), Column("probation_months")),
                Row(Column("hours_per_week"), Column("employment_form")),
                HTML('{% include "peerprogram/_hours_feedback.html" %}'),
            )
        )

    def clean_hours_per_week(self) -> int | None:
        return clean_hours(self.cleaned_data["hours_per_week"])


class ChecklistItemForm(OnePassMixin, VersionedFormMixin, forms.ModelForm):
    planned = ("due_override",)

    class Meta:
        model = ChecklistItem
        formfield_callback = id_choice_formfield
        fields = ["due_override", "note", "assignee"]
        widgets = {"due_override": DATE_WIDGET}

    def __init__(
        self, *args: Any, assignees: QuerySet[StaffMember] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_override"].help_text = _(
            "Leave empty to use the date computed from the start date."
        )
        assignee = model_choice_field(self, "assignee")
        assignee.queryset = assignees if assignees is not None else StaffMember.objects.none()
        assignee.help_text = _(
            "Hand the task to the mentor, the peer worker or a colleague: they see it on "
            "their page of delegated tasks and tick it there. Empty: the responsible role."
        )
        label_choices(assignee, lambda m: f"{m.name} ({m.unit.name})")
        self.add_version_field()
        self.helper = _helper()


class ChecklistItemAddForm(OnePassMixin, forms.ModelForm):
    planned = ("due_override",)

    class Meta:
        model = ChecklistItem
        fields = ["title", "phase", "responsible", "due_override", "description"]
        widgets = {"due_override": DATE_WIDGET, "description": forms.Textarea(attrs={"rows": 2})}
        labels = {"due_override": _("Due date")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_override"].required = True
        self.helper = _helper(
            Layout(
                "title",
                Row(Column("phase"), Column("responsible"), Column("due_override")),
                "description",
            )
        )


class PostingTemplateForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = PostingTemplate
        fields = ["name", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _(
            "Placeholders: {title}, {unit}, {hours}, {employment_form}, {start_date}, "
            "{deadline}, {contact}."
        )
        self.add_version_field()
        self.helper = _helper()

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        try:
            fields = [(n, f, c) for _t, n, f, c in string.Formatter().parse(body) if n is not None]
        except ValueError as exc:
            raise forms.ValidationError(
                _("A brace is not closed: write placeholders as {unit}.")
            ) from exc
        if any(spec or conversion for _n, spec, conversion in fields):
            raise forms.ValidationError(
                _("Write placeholders as a name in braces, like {unit}, with nothing after it.")
            )
        names = {n for n, _f, _c in fields}
        unknown = names - {
            "title",
            "unit",
            "hours",
            "employment_form",
            "start_date",
            "deadline",
            "contact",
        }
        if unknown:
            raise forms.ValidationError(
                _("Unknown placeholder(s): %(names)s."),
                params={"names": ", ".join("{" + n + "}" for n in sorted(unknown))},
            )
        return body


class ChecklistTemplateItemForm(VersionedFormMixin, forms.ModelForm):
    instance: ChecklistTemplateItem

    class Meta:
        model = ChecklistTemplateItem
        fields = [
            "phase",
            "title",
            "description",
            "responsible",
            "anchor",
            "offset_days",
            "guide_reference",
            "derived_from",
            "order",
            "active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.add_version_field()
        self.helper = _helper(
            Layout(
                "title",
                "description",
                Row(Column("phase"), Column("responsible")),
                Row(Column("anchor"), Column("offset_days")),
                Row(Column("guide_reference"), Column("derived_from")),
                Row(Column("order"), Column("active")),
            )
        )
        if "version" in self.fields:
            self.helper.layout.append("version")
