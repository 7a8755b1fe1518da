"""Forms of the journal. The co-writing steps and their prompts are defined here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from peerprogram.forms import (
    DATE_WIDGET,
    IdChoiceField,
    OnePassMixin,
    Rule,
    VersionedFormMixin,
    choice_field,
    id_choice_formfield,
    label_choices,
    model_choice_field,
)
from peerprogram.models import PeerWorker, Unit

from . import services
from .models import CHIME_FIELDS, GroupNote, NoteVersion, Patient, Referral

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _helper(layout: Layout | None = None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    if layout is not None:
        helper.layout = layout
    return helper


def add_form_token(form: forms.BaseForm) -> None:
    """A form that creates a record carries a one-time token, new each time the form is
    shown: the service makes one record per token, so the form sent twice makes one.
    Not required: a form opened before the token existed still saves (once per sending)."""
    form.fields["form_token"] = forms.UUIDField(
        widget=forms.HiddenInput, required=False, initial=uuid.uuid4
    )


class ServiceValidatesMixin(OnePassMixin):
    """The journal's services hold the rules, with messages on the right field; the form
    runs the same rules (`rules`) and the model fields' validators on what was typed, all in
    one pass. The ModelForm does not also copy the input into the instance and run the
    model's own clean(): its message would come a second time, without a field."""

    def _post_clean(self) -> None:
        pass


class PatientForm(ServiceValidatesMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Patient
        # A posted id the database cannot hold is "not a valid choice", not a server error.
        formfield_callback = id_choice_formfield
        fields = [
            "name",
            "reference",
            "consent_date",
            "consent_given",
            "peers",
            "status",
            "ended_on",
        ]
        widgets = {
            "consent_date": DATE_WIDGET,
            "ended_on": DATE_WIDGET,
            "peers": forms.CheckboxSelectMultiple,
        }

    def __init__(
        self, *args: Any, peers: QuerySet[PeerWorker] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            model_choice_field(self, "peers").queryset = peers
            label_choices(model_choice_field(self, "peers"), lambda p: p.staff_member.name)
            self.add_version_field()
        else:
            for name in ("peers", "status", "ended_on"):
                del self.fields[name]
        self.fields["consent_given"].help_text = _(
            "Peer support needs the patient's consent; record it before the first note."
        )
        self.helper = _helper()

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in super().changes().items() if k != "peers"}

    def rules(self, cleaned: dict[str, Any]) -> list[Rule]:
        found: list[Rule] = [
            lambda: services.check_consent(cleaned),
            lambda: services.check_patient_end(cleaned),
        ]
        if "peers" in self.fields and "peers" in cleaned and not cleaned["peers"]:
            found.append(
                lambda: self.add_error(
                    "peers", _("Choose at least one peer worker to work with the patient.")
                )
            )
        return found


class ReferralForm(ServiceValidatesMixin, forms.ModelForm):
    class Meta:
        formfield_callback = id_choice_formfield
        model = Referral
        fields = [
            "peer",
            "patient_name",
            "patient_reference",
            "reason",
            "contact_route",
            "contact_other",
        ]
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 3}),
            "contact_route": forms.RadioSelect,
        }

    def __init__(
        self, *args: Any, peers: QuerySet[PeerWorker] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "peer").queryset = peers
        label_choices(model_choice_field(self, "peer"), lambda p: p.staff_member.name)
        choice_field(self, "contact_route").choices = Referral.ContactRoute.choices
        self.fields["contact_other"].help_text = _("Only when you chose “Other”.")
        add_form_token(self)
        self.helper = _helper()

    def rules(self, cleaned: dict[str, Any]) -> list[Rule]:
        return [lambda: services.check_contact(cleaned)]


class ReferralAcceptForm(forms.Form):
    consent_date = forms.DateField(
        label=_("consent to peer support given on"), required=False, widget=DATE_WIDGET
    )
    consent_given = forms.ChoiceField(
        label=_("how consent was given"),
        choices=[("", "---------"), *Patient.ConsentGiven.choices],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Layout(Row(Column("consent_date"), Column("consent_given"))))


class ReferralDeclineForm(forms.Form):
    decline_reason = forms.CharField(
        label=_("reason for declining"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The colleague who referred the patient reads this."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class NoteFactsForm(ServiceValidatesMixin, VersionedFormMixin, forms.ModelForm):
    """The first step: when, where, what and how long."""

    class Meta:
        model = NoteVersion
        fields = ["date", "place", "activity", "minutes"]
        widgets = {"date": DATE_WIDGET}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["minutes"].widget.attrs.update({"min": 1, "max": 600})
        if self.instance.pk:
            self.add_version_field()
        else:
            add_form_token(self)
        self.helper = _helper(
            Layout(Row(Column("date"), Column("minutes")), Row(Column("place"), Column("activity")))
        )
        for hidden in ("version", "form_token"):
            if hidden in self.fields:
                self.helper.layout.append(hidden)

    def rules(self, cleaned: dict[str, Any]) -> list[Rule]:
        return [lambda: services.not_in_future(cleaned, "date")]


@dataclass(frozen=True)
class Step:
    """One screen of co-writing: one part of the note and a plain-language question."""

    name: str
    title: StrOrPromise
    prompt: StrOrPromise
    hint: StrOrPromise = ""


STEPS = [
    Step("facts", _("The meeting"), _("When and where did we meet, and for how long?")),
    Step(
        "connectedness",
        _("Connectedness"),
        _("Who or what have you felt close to lately? Is there someone you miss?"),
        _("Family, friends, neighbours, a club, a pet, people with similar experiences."),
    ),
    Step(
        "hope",
        _("Hope"),
        _("What gives you hope right now? What are you looking forward to?"),
        _("Small things count: a walk, a visit, a good night's sleep."),
    ),
    Step(
        "identity",
        _("Identity"),
        _("Who are you, besides what you are struggling with? What should others know about you?"),
        _("Interests, roles, values, what you are good at."),
    ),
    Step(
        "meaning",
        _("Meaning"),
        _("What makes a day feel worthwhile to you? What matters most?"),
        _("Work, study, faith, helping others, something you create."),
    ),
    Step(
        "empowerment",
        _("Empowerment"),
        _("What can you decide or do yourself? What has helped you take charge before?"),
        _("Your strengths, your choices, what you want to try."),
    ),
    Step(
        "patient_words",
        _("In your own words"),
        _("Is there something you want written down exactly as you say it?"),
    ),
    Step("next_steps", _("Next steps"), _("What did we agree on, and who does what?")),
    Step(
        "approve",
        _("Read and approve"),
        _("Read the note together. It becomes final only when you agree with every word."),
    ),
]
STEP_NAMES = [s.name for s in STEPS]
TEXT_STEPS = [*CHIME_FIELDS, "patient_words", "next_steps"]


class StepTextForm(forms.Form):
    """One text of the note, with the draft's save count so a concurrent save is noticed."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, step: Step, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[step.name] = forms.CharField(
            label=step.title,
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 7, "class": "cowrite-text"}),
        )
        self.step = step

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # An empty box is a choice; a request without the box at all is not (nothing is
        # blanked by a request that did not carry the text).
        if self.is_bound and self.step.name not in self.data:
            raise forms.ValidationError(_("The text was not sent. Nothing was saved."))
        return cleaned

    def changes(self) -> dict[str, Any]:
        return {self.step.name: self.cleaned_data[self.step.name].strip()}


class ApproveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirmed = forms.BooleanField(
        label=_("I have read the note, and it says what I want it to say."),
        error_messages={"required": _("The patient ticks this box to approve the note.")},
    )


class NoteErrorForm(forms.Form):
    reason = forms.CharField(
        label=_("Why was the note entered in error?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: written on the wrong patient. The note stays in the history."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ConcernRecordForm(forms.Form):
    passed_to = forms.CharField(
        label=_("Passed to"),
        max_length=200,
        help_text=_("Who in the team you told, for example the contact person or the doctor."),
    )
    passed_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Layout(Row(Column("passed_to"), Column("passed_at"))))


class GroupNoteForm(ServiceValidatesMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = GroupNote
        fields = [
            "date",
            "place",
            "topic",
            "participants",
            "minutes",
            "co_facilitator",
            *CHIME_FIELDS,
        ]
        widgets = {"date": DATE_WIDGET}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].help_text = _(
            "The theme of the session. No names and nothing about one participant."
        )
        if self.instance.pk:
            self.add_version_field()
        else:
            add_form_token(self)
        self.helper = _helper(
            Layout(
                Row(Column("date"), Column("place")),
                "topic",
                Row(Column("participants"), Column("minutes"), Column("co_facilitator")),
                Row(*[Column(name) for name in CHIME_FIELDS]),
            )
        )
        for hidden in ("version", "form_token"):
            if hidden in self.fields:
                self.helper.layout.append(hidden)

    def rules(self, cleaned: dict[str, Any]) -> list[Rule]:
        return [lambda: services.not_in_future(cleaned, "date")]


class StatisticsForm(forms.Form):
    unit = IdChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    to = forms.DateField(
        label=_("Up to month"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )

    def __init__(self, *args: Any, units: QuerySet[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "unit").queryset = units
        model_choice_field(self, "unit").empty_label = _("All units")
