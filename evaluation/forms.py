from __future__ import annotations

from typing import Any, cast

from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerprogram.forms import (
    DATE_WIDGET,
    BaseRowFormSet,
    IdMultipleChoiceField,
    OnePassMixin,
    RowForm,
    VersionedFormMixin,
    form_helper,
)
from peerprogram.models import Unit

from .models import (
    Instrument,
    InstrumentItem,
    PatientConsent,
    Question,
    Questionnaire,
    ResearchProject,
    SurveyRound,
    Timepoint,
)
from .services import INSTRUMENT_FIELDS, ITEM_FIELDS, QUESTION_FIELDS, ROUND_FIELDS


class QuestionnaireForm(VersionedFormMixin, OnePassMixin, forms.ModelForm):
    instance: Questionnaire

    class Meta:
        model = Questionnaire
        fields = ["title", "intro"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_version_field()
        self.helper = form_helper()


class QuestionForm(RowForm):
    """One question of a questionnaire, with the version it was opened at."""

    instance: Question

    class Meta:
        model = Question
        fields = QUESTION_FIELDS
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        asked = [cleaned.get(f"for_{g}") for g in ("peers", "leaders", "colleagues")]
        if self.has_changed() and not cleaned.get("DELETE") and not any(asked):
            self.add_error("for_peers", _("Ask the question of at least one group."))
        return cleaned


class BaseQuestionFormSet(BaseRowFormSet):
    fields = QUESTION_FIELDS


QuestionFormSet = cast(
    type[BaseQuestionFormSet],
    forms.modelformset_factory(
        Question, form=QuestionForm, formset=BaseQuestionFormSet, extra=3, can_delete=True
    ),
)


class RoundForm(VersionedFormMixin, OnePassMixin, forms.ModelForm):
    """A round: which questionnaire, when, for which units and groups. Once it has opened
    only its title and last day can change."""

    instance: SurveyRound
    planned = ("opens_on", "closes_on")

    units = IdMultipleChoiceField(
        label=_("Units"),
        queryset=Unit.objects.filter(active=True).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SurveyRound
        fields = ROUND_FIELDS
        widgets = {"opens_on": DATE_WIDGET, "closes_on": DATE_WIDGET}
        help_texts = {"title": _("For example “Spring 2027”.")}

    def __init__(self, *args: Any, opened: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_version_field()
        if self.instance.pk:
            self.fields["units"].initial = list(self.instance.units.values_list("pk", flat=True))
        if opened:
            for name in (
                "questionnaire",
                "opens_on",
                "units",
                "ask_peers",
                "ask_leaders",
                "ask_colleagues",
            ):
                self.fields[name].disabled = True
            self.planned = ("closes_on",)
        self.helper = form_helper(
            Layout(
                "questionnaire",
                "title",
                "opens_on",
                "closes_on",
                Fieldset(_("Who is asked"), "ask_peers", "ask_leaders", "ask_colleagues"),
                "units",
                "version",
            )
        )

    def rules(self, cleaned: dict[str, Any]) -> list[Any]:
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        groups = [cleaned.get(f"ask_{g}") for g in ("peers", "leaders", "colleagues")]

        def order() -> None:
            if opens and closes and closes < opens:
                raise forms.ValidationError(
                    {"closes_on": _("The round must close on or after the day it opens.")}
                )

        def someone() -> None:
            if not any(groups):
                raise forms.ValidationError({"ask_peers": _("Choose at least one group to ask.")})

        return [order, someone]


SCORE_CHOICES = [
    ("1", _("1 – Strongly disagree")),
    ("2", _("2 – Disagree")),
    ("3", _("3 – Neither agree nor disagree")),
    ("4", _("4 – Agree")),
    ("5", _("5 – Strongly agree")),
]


class AnswerForm(forms.Form):
    """One person's answers: a 1–5 choice for each statement and a text box for each
    question asked of their group. Every question may be skipped."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            if question.kind == Question.Kind.SCALE:
                self.fields[f"q{question.pk}"] = forms.ChoiceField(
                    label=question.text,
                    choices=SCORE_CHOICES,
                    widget=forms.RadioSelect,
                    required=False,
                )
            else:
                self.fields[f"q{question.pk}"] = forms.CharField(
                    label=question.text,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    max_length=2000,
                    required=False,
                )
        self.helper = form_helper()

    def scores(self) -> dict[int, int]:
        return {
            q.pk: int(self.cleaned_data[f"q{q.pk}"])
            for q in self.questions
            if q.kind == Question.Kind.SCALE and self.cleaned_data.get(f"q{q.pk}")
        }

    def texts(self) -> dict[int, str]:
        return {
            q.pk: self.cleaned_data[f"q{q.pk}"]
            for q in self.questions
            if q.kind == Question.Kind.TEXT and self.cleaned_data.get(f"q{q.pk}", "").strip()
        }


# Recovery outcomes -----------------------------------------------------------------------


class InstrumentForm(VersionedFormMixin, OnePassMixin, forms.ModelForm):
    instance: Instrument

    timepoints = forms.MultipleChoiceField(
        label=_("Timepoints"),
        choices=Timepoint.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("When the peer worker fills it in with the patient."),
    )

    class Meta:
        model = Instrument
        fields = INSTRUMENT_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "licence": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_version_field()
        self.helper = form_helper()

    def rules(self, cleaned: dict[str, Any]) -> list[Any]:
        low, high = cleaned.get("scale_min"), cleaned.get("scale_max")

        def scale() -> None:
            if low is not None and high is not None and not (0 <= low < high <= 10):
                raise forms.ValidationError(
                    {"scale_max": _("The highest answer must be above the lowest, within 0 to 10.")}
                )

        return [scale]


class ItemForm(RowForm):
    instance: InstrumentItem

    class Meta:
        model = InstrumentItem
        fields = ITEM_FIELDS
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class BaseItemFormSet(BaseRowFormSet):
    fields = ITEM_FIELDS


ItemFormSet = cast(
    type[BaseItemFormSet],
    forms.modelformset_factory(
        InstrumentItem, form=ItemForm, formset=BaseItemFormSet, extra=3, can_delete=True
    ),
)


class ConsentForm(VersionedFormMixin, OnePassMixin, forms.ModelForm):
    """The patient's consent to outcome measurement, and their answer about research."""

    instance: PatientConsent
    recorded = ("measure_on", "research_on")

    research = forms.TypedChoiceField(
        label=_("May the patient be contacted about research?"),
        choices=[("", _("Not asked yet")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = PatientConsent
        fields = ["measure_on", "measure_how", "research", "research_on"]
        widgets = {"measure_on": DATE_WIDGET, "research_on": DATE_WIDGET}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.research is not None:
            self.initial["research"] = "yes" if self.instance.research else "no"
        self.add_version_field()
        self.helper = form_helper(
            Layout(
                Fieldset(_("Outcome measurement"), "measure_on", "measure_how"),
                Fieldset(_("Research"), "research", "research_on"),
                "version",
            )
        )

    def rules(self, cleaned: dict[str, Any]) -> list[Any]:
        def measure() -> None:
            if bool(cleaned.get("measure_on")) != bool(cleaned.get("measure_how")):
                field = "measure_how" if cleaned.get("measure_on") else "measure_on"
                raise forms.ValidationError(
                    {field: _("Give both the date of the consent and how it was given.")}
                )

        def research() -> None:
            if cleaned.get("research") is not None and not cleaned.get("research_on"):
                raise forms.ValidationError({"research_on": _("Give the date of the answer.")})

        return [measure, research]


class PeerResearchForm(forms.Form):
    research = forms.TypedChoiceField(
        label=_("May the peer worker be contacted about research?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    research_on = forms.DateField(label=_("Answered on"), widget=DATE_WIDGET)
    version = forms.IntegerField(widget=forms.HiddenInput, initial=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper()

    def clean_research_on(self) -> Any:
        value = self.cleaned_data["research_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value


class StartForm(forms.Form):
    """Which instrument, at which timepoint: the choices the patient has left."""

    choice = forms.ChoiceField(label=_("Instrument and timepoint"))

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = choices
        self.helper = form_helper()


class ItemAnswerForm(forms.Form):
    """One item's answer, chosen on the scale; none is a skip."""

    def __init__(
        self, *args: Any, instrument: Instrument, item: InstrumentItem, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = []
        for value in instrument.scale:
            label = str(value)
            if value == instrument.scale_min:
                label = f"{value} – {instrument.min_label}"
            elif value == instrument.scale_max:
                label = f"{value} – {instrument.max_label}"
            choices.append((str(value), label))
        self.fields["value"] = forms.TypedChoiceField(
            label=item.text,
            choices=choices,
            coerce=int,
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
        )


class ProjectForm(VersionedFormMixin, OnePassMixin, forms.ModelForm):
    instance: ResearchProject

    class Meta:
        model = ResearchProject
        fields = ["title", "approval", "starts_on", "ends_on", "researcher"]
        widgets = {"starts_on": DATE_WIDGET, "ends_on": DATE_WIDGET}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_version_field()
        self.helper = form_helper()

    def rules(self, cleaned: dict[str, Any]) -> list[Any]:
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")

        def order() -> None:
            if starts and ends and ends < starts:
                raise forms.ValidationError(
                    {"ends_on": _("The project must end on or after the day it starts.")}
                )

        return [order]
