from __future__ import annotations

import datetime
from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from peerprogram.forms import (
    DATE_WIDGET,
    BaseRowFormSet,
    IdMultipleChoiceField,
    OnePassMixin,
    RowForm,
    VersionedFormMixin,
)
from peerprogram.models import PeerWorker

from .models import (
    HOURS_FIELDS,
    TEXT_FIELDS,
    ContactRoute,
    FollowUpRhythm,
    FunctionDescription,
    FunctionTemplate,
    OutsideTask,
    StaffQuestion,
    Talk,
    TalkAction,
)
from .selectors import DRIFT_WEEKS, Due, week_of
from .services import (
    outside_task_problems,
    problems,
    talk_plan_problems,
    talk_problems,
)


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


# The leader's follow-up ------------------------------------------------------------------


class TalkRecordForm(forms.Form):
    date = forms.DateField(label=_("Held on"), widget=DATE_WIDGET)
    how_it_goes = forms.CharField(
        label=_("How is it going?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
        help_text=_("Written for the peer worker to read too. No patient data."),
    )
    workload = forms.ChoiceField(
        label=_("Workload"),
        choices=Talk.Workload.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    wellbeing = forms.TypedChoiceField(
        label=_("Wellbeing, as the peer worker puts it"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("1: poor, 5: very good."),
    )
    development = forms.CharField(
        label=_("Development and education plan"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )
    done_actions = IdMultipleChoiceField(
        label=_("Actions agreed earlier that are done now"),
        queryset=TalkAction.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self, *args: Any, peer: PeerWorker, kind: str, open_actions: list[TalkAction], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.peer, self.kind = peer, kind
        done = self.fields["done_actions"]
        assert isinstance(done, forms.ModelMultipleChoiceField)
        done.queryset = TalkAction.objects.filter(pk__in=[a.pk for a in open_actions])
        if not open_actions:
            del self.fields["done_actions"]
        if kind != Talk.Kind.MUS:
            del self.fields["development"]
        self.helper = _helper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for field, errors in talk_problems(
            peer=self.peer,
            kind=self.kind,
            date=cleaned.get("date"),
            development=cleaned.get("development", ""),
        ).items():
            if field in self.fields and field not in self.errors:
                for error in errors:
                    self.add_error(field, error)
        return cleaned


class ActionForm(OnePassMixin, forms.Form):
    planned = ("due",)

    text = forms.CharField(label=_("Action"), max_length=300, required=False)
    responsible = forms.ChoiceField(
        label=_("Responsible"),
        choices=[("", "–"), *TalkAction.Responsible.choices],
        required=False,
    )
    due = forms.DateField(label=_("By"), widget=DATE_WIDGET, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("text") and not cleaned.get("responsible"):
            self.add_error("responsible", _("Say who does it."))
        if not cleaned.get("text") and (cleaned.get("due") or cleaned.get("responsible")):
            self.add_error("text", _("Write the action, or leave the row empty."))
        return cleaned


ActionFormSet = forms.formset_factory(ActionForm, extra=3, max_num=3)


class ActionEditForm(OnePassMixin, forms.ModelForm):
    """An agreed action changed after the talk: what, who is responsible, by when."""

    planned = ("due",)

    class Meta:
        model = TalkAction
        fields = ["text", "responsible", "due"]
        widgets = {"due": DATE_WIDGET, "responsible": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class TalkChangeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What happens to the talk?"),
        choices=[
            ("moved", _("Planned for a day, and a time if you like")),
            ("cancelled", _("Cancelled")),
        ],
        widget=forms.RadioSelect,
        initial="moved",
    )
    date = forms.DateField(
        label=_("Day"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("For a talk planned or moved to another day."),
    )
    time = forms.TimeField(
        label=_("Time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        required=False,
        help_text=_(
            "With a time the talk is put in your calendar and the peer worker's as a meeting."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        help_text=_("Needed when the talk is cancelled or held on another day than it is due."),
    )

    def __init__(self, *args: Any, due: Due, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.due = due
        self.helper = _helper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, time = cleaned.get("date"), cleaned.get("time")
        if cleaned.get("outcome") == "moved":
            if day is None and "date" not in self.errors:
                self.add_error("date", _("Choose the day."))
            for field, errors in talk_plan_problems(
                due=self.due, date=day, time=time, reason=cleaned.get("reason", "")
            ).items():
                if field not in self.errors:
                    for error in errors:
                        self.add_error(field, error)
        elif cleaned.get("outcome") == "cancelled" and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Say why the talk is cancelled."))
        return cleaned


class RhythmForm(forms.ModelForm):
    class Meta:
        model = FollowUpRhythm
        fields = ["probation_days", "after_months"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["probation_days"].widget.attrs.update({"min": 7, "max": 60})
        self.fields["after_months"].widget.attrs.update({"min": 1, "max": 6})
        self.helper = _helper(Layout(Row(Column("probation_days"), Column("after_months"))))


# Preparing the workplace and making the peer worker visible ------------------------------

QUESTION_FIELDS = ["question", "answer", "order"]


class QuestionForm(RowForm):
    """One of the staff group's questions, with the version it was opened at."""

    instance: StaffQuestion

    class Meta:
        model = StaffQuestion
        fields = QUESTION_FIELDS
        widgets = {"answer": forms.Textarea(attrs={"rows": 3})}


class BaseQuestionFormSet(BaseRowFormSet):
    fields = QUESTION_FIELDS


QuestionFormSet = cast(
    type[BaseQuestionFormSet],
    forms.modelformset_factory(
        StaffQuestion, form=QuestionForm, formset=BaseQuestionFormSet, extra=2, can_delete=True
    ),
)


class PresentationForm(forms.Form):
    text = forms.CharField(
        label=_("Your presentation"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=1200,
        help_text=_(
            "A few lines in your own words: who you are, what you offer, and what you "
            "share of your own experience. At most 1,200 characters."
        ),
    )
    approve = forms.BooleanField(
        label=_("I approve this text for the leaflet"),
        required=False,
        help_text=_("Without your approval the leaflet cannot be made."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, initial=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class OutsideTaskForm(forms.Form):
    """One week's hours of a kind of task outside the function description."""

    week = forms.TypedChoiceField(label=_("Week"), coerce=datetime.date.fromisoformat)
    kind = forms.ChoiceField(label=_("Kind of task"), choices=OutsideTask.Kind.choices)
    hours = forms.IntegerField(
        label=_("Hours"),
        min_value=1,
        max_value=60,
        error_messages={
            "min_value": _("Give the hours as a whole number from 1 to 60."),
            "max_value": _("Give the hours as a whole number from 1 to 60."),
        },
    )
    note = forms.CharField(
        label=_("What it was"),
        max_length=200,
        required=False,
        help_text=_("A few words, no patient data."),
    )

    def __init__(self, *args: Any, peer: PeerWorker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.peer = peer
        today = timezone.localdate()
        this_week = week_of(today)
        mondays = [this_week - datetime.timedelta(weeks=n) for n in range(DRIFT_WEEKS)]
        mondays = [m for m in mondays if m + datetime.timedelta(days=6) >= peer.start_date]
        week = self.fields["week"]
        assert isinstance(week, forms.TypedChoiceField)
        week.choices = [
            (
                m.isoformat(),
                _("Week %(number)s (from %(day)s)")
                % {"number": m.isocalendar().week, "day": date_format(m, "MONTH_DAY_FORMAT")},
            )
            for m in mondays
        ]
        self.helper = _helper(
            Layout(Row(Column("week"), Column("kind")), Row(Column("hours"), Column("note")))
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for field, errors in outside_task_problems(
            peer=self.peer, week=cleaned.get("week")
        ).items():
            if field not in self.errors:
                for error in errors:
                    self.add_error(field, error)
        return cleaned
