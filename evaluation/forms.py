from __future__ import annotations

from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from peerprogram.forms import DATE_WIDGET, IdMultipleChoiceField, OnePassMixin, VersionedFormMixin
from peerprogram.models import Unit

from .models import Question, Questionnaire, SurveyRound
from .services import QUESTION_FIELDS, QuestionEdits


def _helper(layout: Layout | None = None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    if layout is not None:
        helper.layout = layout
    return helper


class QuestionnaireForm(VersionedFormMixin, OnePassMixin, forms.ModelForm):
    instance: Questionnaire

    class Meta:
        model = Questionnaire
        fields = ["title", "intro"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_version_field()
        self.helper = _helper()


class QuestionForm(VersionedFormMixin, forms.ModelForm):
    """One question of a questionnaire, with the version it was opened at."""

    instance: Question

    class Meta:
        model = Question
        fields = QUESTION_FIELDS
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.add_version_field()
            self.fields["version"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        asked = [cleaned.get(f"for_{g}") for g in ("peers", "leaders", "colleagues")]
        if self.has_changed() and not cleaned.get("DELETE") and not any(asked):
            self.add_error("for_peers", _("Ask the question of at least one group."))
        return cleaned


class BaseQuestionFormSet(forms.BaseModelFormSet):
    """A questionnaire's questions as the page shows them; `edits()` says what a save
    adds, changes and removes."""

    forms: list[QuestionForm]

    def edits(self) -> QuestionEdits:
        edits = QuestionEdits()
        for form in self.forms:
            data = form.cleaned_data
            question, version = form.instance, data.get("version")
            if question.pk is not None and data.get("DELETE"):
                edits.removed.append((question, version))
            elif data.get("DELETE") or not set(form.changed_data) - {"version"}:
                continue
            elif question.pk is None:
                edits.added.append({name: data[name] for name in QUESTION_FIELDS})
            else:
                edits.changed.append(
                    (question, version, {name: data[name] for name in QUESTION_FIELDS})
                )
        return edits

    def add_error(self, message: str) -> None:
        """A refusal that concerns the whole questionnaire."""
        self._non_form_errors = self.error_class(
            [*self.non_form_errors(), message], error_class="nonform"
        )


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
        fields = [
            "questionnaire",
            "title",
            "opens_on",
            "closes_on",
            "ask_peers",
            "ask_leaders",
            "ask_colleagues",
        ]
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
        self.helper = _helper(
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
        self.helper = _helper()

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
