from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerprogram.forms import (
    DATE_WIDGET,
    IdChoiceField,
    add_rule_errors,
    model_choice_field,
)
from peerprogram.models import PeerWorker, StaffMember
from peerprogram.services import not_in_past

from .models import AwayPeriod, Topic, Weekday

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
from .selectors import Candidate, proposed_weekday


def _helper(layout: Layout | None = None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    if layout is not None:
        helper.layout = layout
    return helper


class MentorAssignForm(forms.Form):
    mentor = IdChoiceField(
        label=_("Mentor"), queryset=StaffMember.objects.none(), widget=forms.RadioSelect
    )
    start_date = forms.DateField(label=_("Start date"), widget=DATE_WIDGET)
    weekday = forms.TypedChoiceField(
        label=_("Weekly check-in on"), choices=Weekday.choices, coerce=int
    )
    meeting_time = forms.TimeField(
        label=_("at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(
        self, *args: Any, peer: PeerWorker, candidates: list[Candidate], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        model_choice_field(self, "mentor").queryset = StaffMember.objects.filter(
            pk__in=[c.member.pk for c in candidates]
        )
        self.fields["start_date"].initial = max(peer.start_date, timezone.localdate())
        self.fields["weekday"].initial = proposed_weekday(peer)
        self.fields["weekday"].help_text = _(
            "Proposed on a day without the peer worker's teaching days and erfa meetings."
        )
        self.fields["meeting_time"].initial = settings.MENTORING_DEFAULT_TIME
        self.helper = _helper(
            Layout(Row(Column("start_date"), Column("weekday"), Column("meeting_time")))
        )


def new_date_errors(form: forms.Form, *, missing: StrOrPromise) -> None:
    """A moved check-in's `new_date`: given (else `missing`, unless the field already has
    its own error), and not in the past: a check-in moved there is one that was not held."""
    cleaned = form.cleaned_data
    if not cleaned.get("new_date"):
        if "new_date" not in form.errors:
            form.add_error("new_date", missing)
        return
    add_rule_errors(
        form,
        [
            lambda: not_in_past(
                cleaned, "new_date", message=_("A check-in is moved to today or a later day.")
            )
        ],
    )


class CheckInLogForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What happened?"),
        choices=[
            ("held", _("Held")),
            ("moved", _("Moved to another date")),
            ("cancelled", _("Cancelled")),
        ],
        widget=forms.RadioSelect,
        initial="held",
    )
    duration_minutes = forms.IntegerField(
        label=_("Minutes"), min_value=5, max_value=480, required=False
    )
    new_date = forms.DateField(label=_("New date"), widget=DATE_WIDGET, required=False)
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label=_("Short note"),
        help_text=_("Only the two of you can read it."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duration_minutes"].initial = settings.MENTORING_CHECKIN_MINUTES
        self.helper = _helper(
            Layout(
                "outcome",
                Row(Column("duration_minutes"), Column("new_date")),
                "topics",
                "note",
                "version",
            )
        )

    def log_data(self) -> dict[str, Any]:
        """The service's arguments: the version read when the form was opened, and the log."""
        data = dict(self.cleaned_data)
        data["expected_version"] = data.pop("version")
        return data

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("outcome") == "moved":
            new_date_errors(self, missing=_("Choose the new date."))
        return cleaned


class AwayForm(forms.ModelForm):
    class Meta:
        model = AwayPeriod
        fields = ["first_day", "last_day", "note"]
        widgets = {"first_day": DATE_WIDGET, "last_day": DATE_WIDGET}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Layout(Row(Column("first_day"), Column("last_day")), "note"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The last day cannot be before the first day."))
        # An absence that has ended changes no check-in: it is registered ahead or while on.
        elif last and self.instance.last_day != last:
            add_rule_errors(
                self,
                [
                    partial(
                        not_in_past,
                        cleaned,
                        "last_day",
                        message=_("The absence has ended: the last day is today or later."),
                    )
                ],
            )
        return cleaned
