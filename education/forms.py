from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from mentoring.forms import new_date_errors
from peerprogram.forms import (
    DATE_WIDGET,
    IdChoiceField,
    IdMultipleChoiceField,
    OnePassMixin,
    VersionedFormMixin,
    add_rule_errors,
    choice_field,
    id_choice_formfield,
    label_choices,
    model_choice_field,
)
from peerprogram.models import PeerWorker, StaffMember
from peerprogram.services import not_in_past

from .models import Cohort, CohortModule, ErfaGroup, MandatoryCourse, Meeting, MeetingSeries, Module

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
]


def _helper(layout: Layout | None = None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    if layout is not None:
        helper.layout = layout
    return helper


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, **kwargs)


class ModuleForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Module
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_version_field()
        self.helper = _helper()


class CohortForm(OnePassMixin, VersionedFormMixin, forms.ModelForm):
    planned = ("start_date",)

    class Meta:
        model = Cohort
        fields = ["name", "start_date", "capacity", "fee_dkk", "status", "default_place"]
        widgets = {"start_date": DATE_WIDGET}
        help_texts = {
            "name": _("For example “Hold 2027”."),
            "default_place": _("Filled in for every module; change it per module below."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_version_field()
        self.helper = _helper(
            Layout(
                Row(Column("name"), Column("start_date"), Column("status")),
                Row(Column("capacity"), Column("fee_dkk"), Column("default_place")),
                "version",
            )
        )


class SessionForm(forms.Form):
    """One row of the cohort's schedule (a formset, one form per module)."""

    first_day = forms.DateField(
        label=_("First teaching day"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        required=False,
    )
    start_time = forms.TimeField(
        label=_("Starts at"),
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M"),
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


SessionFormSet = forms.formset_factory(SessionForm, extra=0)


class EnrolForm(forms.Form):
    peer = IdChoiceField(label=_("Peer worker"), queryset=PeerWorker.objects.none())

    def __init__(self, *args: Any, peers: QuerySet[PeerWorker], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "peer").queryset = peers
        label_choices(model_choice_field(self, "peer"), lambda p: f"{p.name} ({p.unit.name})")
        self.helper = _helper()


class ExternalForm(forms.Form):
    external_name = forms.CharField(label=_("Name"), max_length=200)
    external_organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        help_text=_("For example the municipality or the social psychiatry service."),
    )
    external_contact = forms.CharField(
        label=_("Contact"), max_length=200, help_text=_("E-mail or phone.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class CompletionForm(forms.Form):
    completed_on = forms.DateField(
        label=_("Completed on"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("Leave empty to take back a completion marked by hand."),
    )
    completion_reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class MentorModulesForm(forms.Form):
    mentor = IdChoiceField(label=_("Mentor"), queryset=StaffMember.objects.none())
    sessions = forms.MultipleChoiceField(
        label=_("Modules the mentor attends"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        mentors: QuerySet[StaffMember],
        sessions: Iterable[CohortModule],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "mentor").queryset = mentors
        choice_field(self, "sessions").choices = [
            (
                str(s.pk),
                f"{s.module}" + (f" ({s.first_day:%d.%m.%Y})" if s.first_day else ""),
            )
            for s in sessions
        ]
        self.helper = _helper()


class CourseRecordForm(forms.Form):
    enrolled_on = forms.DateField(label=_("Enrolled"), widget=DATE_WIDGET, required=False)
    completed_on = forms.DateField(label=_("Completed"), widget=DATE_WIDGET, required=False)
    # The record's version when the page was opened; 0: it had no record yet. Posted
    # without one, the record is checked as it is read now.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class MandatoryCourseForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = MandatoryCourse
        fields = ["name", "description", "order", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.add_version_field()
        self.helper = _helper()


class ErfaGroupForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ErfaGroup
        formfield_callback = id_choice_formfield
        fields = [
            "name",
            "description",
            "audience",
            "members",
            "duration_minutes",
            "online_link",
            "place",
            "facilitator",
            "active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "members": forms.SelectMultiple(attrs={"size": 8}),
        }
        help_texts = {"members": _("Only for a group of chosen members.")}

    online_link = forms.URLField(
        label=_("Usual online link"), required=False, assume_scheme="https"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        active = StaffMember.objects.filter(active=True).select_related("unit")
        model_choice_field(self, "members").queryset = active
        model_choice_field(self, "facilitator").queryset = active.filter(is_centre_staff=True)
        if self.instance.pk:
            self.add_version_field()
        self.helper = _helper(
            Layout(
                "name",
                "description",
                Row(Column("audience"), Column("duration_minutes")),
                "members",
                Row(Column("online_link"), Column("place")),
                Row(Column("facilitator"), Column("active")),
            )
        )
        if "version" in self.fields:
            self.helper.layout.append("version")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("audience") == "members" and not data.get("members"):
            self.add_error("members", _("Choose the members of the group."))
        return data


class SeriesForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Repeats"), choices=MeetingSeries.Frequency.choices, initial="monthly"
    )
    interval = forms.IntegerField(
        label=_("Every"),
        min_value=1,
        max_value=12,
        initial=1,
        help_text=_("1 = every month (or week), 3 = every third (quarterly)."),
    )
    week_of_month = forms.TypedChoiceField(
        label=_("Which one in the month"),
        coerce=int,
        initial=2,
        choices=[
            (1, _("First")),
            (2, _("Second")),
            (3, _("Third")),
            (4, _("Fourth")),
            (-1, _("Last")),
        ],
        help_text=_("Monthly only."),
    )
    weekday = forms.TypedChoiceField(label=_("Weekday"), coerce=int, choices=WEEKDAYS, initial=1)
    start_time = forms.TimeField(label=_("From"), widget=TIME_WIDGET, initial="13:00")
    end_time = forms.TimeField(label=_("To"), widget=TIME_WIDGET)
    first_date = forms.DateField(label=_("From date"), widget=DATE_WIDGET)
    last_date = forms.DateField(label=_("To date"), widget=DATE_WIDGET)
    kind = forms.ChoiceField(
        label=_("Kind of meeting"),
        choices=[
            *[c for c in Meeting.Kind.choices if c[0] != Meeting.Kind.SUPERVISION],
            ("alternate", _("Internal and external in turn (internal first)")),
        ],
        help_text=_("Each meeting can be changed afterwards."),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")

    def __init__(self, *args: Any, group: ErfaGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        start = datetime.datetime.combine(timezone.localdate(), datetime.time(13, 0))
        self.fields["end_time"].initial = (
            start + datetime.timedelta(minutes=group.duration_minutes)
        ).time()
        today = timezone.localdate()
        self.fields["first_date"].initial = today
        self.fields["last_date"].initial = datetime.date(today.year, 12, 31)
        self.fields["place"].initial = group.place
        self.fields["online_link"].initial = group.online_link
        self.helper = _helper(
            Layout(
                Row(Column("frequency"), Column("interval"), Column("week_of_month")),
                Row(Column("weekday"), Column("start_time"), Column("end_time")),
                Row(Column("first_date"), Column("last_date"), Column("kind")),
                Row(Column("place"), Column("online_link")),
            )
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The meeting must end after it starts."))
        first, last = data.get("first_date"), data.get("last_date")
        if first and last and last < first:
            self.add_error("last_date", _("The period must end after it starts."))
        # A series plans meetings to come: one that began in the past would make meetings
        # nobody can attend (and a whole series in the past, only those).
        add_rule_errors(
            self,
            [
                lambda: not_in_past(
                    data, "first_date", message=_("A series is planned from today on.")
                )
            ],
        )
        return data


class _MeetingTimesMixin(forms.BaseForm):
    def clean_times(self, data: dict[str, Any]) -> dict[str, Any]:
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The meeting must end after it starts."))
        elif day and start and end:
            tz = timezone.get_current_timezone()
            data["starts_at"] = timezone.make_aware(datetime.datetime.combine(day, start), tz)
            data["ends_at"] = timezone.make_aware(datetime.datetime.combine(day, end), tz)
        return data


class MeetingForm(_MeetingTimesMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    start_time = forms.TimeField(label=_("From"), widget=TIME_WIDGET)
    end_time = forms.TimeField(label=_("To"), widget=TIME_WIDGET)
    kind = forms.ChoiceField(label=_("Kind"), choices=Meeting.Kind.choices)
    topic = forms.CharField(label=_("Topic"), max_length=300, required=False)
    speaker = forms.CharField(
        label=_("Speaker"),
        max_length=200,
        required=False,
        help_text=_("For external knowledge sharing."),
    )
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    facilitator = IdChoiceField(
        label=_("Facilitator"), queryset=StaffMember.objects.none(), required=False
    )
    version = VersionField()

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "facilitator").queryset = StaffMember.objects.filter(active=True)
        if meeting.kind == Meeting.Kind.SUPERVISION:
            choice_field(self, "kind").choices = [
                c for c in Meeting.Kind.choices if c[0] == Meeting.Kind.SUPERVISION
            ]
        else:
            choice_field(self, "kind").choices = [
                c for c in Meeting.Kind.choices if c[0] != Meeting.Kind.SUPERVISION
            ]
        self.helper = _helper(
            Layout(
                Row(Column("date"), Column("start_time"), Column("end_time")),
                Row(Column("kind"), Column("facilitator")),
                Row(Column("topic"), Column("speaker")),
                Row(Column("online_link"), Column("place")),
                "version",
            )
        )

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict:
        start = timezone.localtime(meeting.starts_at)
        end = timezone.localtime(meeting.ends_at)
        return {
            "date": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "kind": meeting.kind,
            "topic": meeting.topic,
            "speaker": meeting.speaker,
            "online_link": meeting.online_link,
            "place": meeting.place,
            "facilitator": meeting.facilitator_id,
            "version": meeting.version,
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.clean_times(self.cleaned_data)
        if data.get("kind") == Meeting.Kind.SUPERVISION:
            data["speaker"] = ""
        # A held meeting's facts stay editable; moving a meeting means to a day to come.
        moved = data.get("date") != self.initial.get("date")
        add_rule_errors(
            self,
            [
                lambda: not_in_past(
                    data,
                    "date",
                    changed=moved,
                    message=_("A meeting is moved to today or a later day."),
                )
            ],
        )
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
    version = VersionField()


class AttendanceForm(forms.Form):
    people = IdMultipleChoiceField(
        label=_("Who took part"),
        queryset=StaffMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, people: QuerySet[StaffMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "people").queryset = people
        label_choices(model_choice_field(self, "people"), lambda s: f"{s.name} ({s.unit.name})")
        self.helper = _helper()


# The themes DOMAIN.md names for supervision, offered as suggestions (the field is free).
SUPERVISION_TOPICS = [
    _("The balance between professional and private"),
    _("Preventing peer drift"),
    _("The peer role in interdisciplinary work"),
    _("Supporting the patient's own voice"),
    _("Personal limits"),
]


class SupervisionForm(_MeetingTimesMixin, forms.Form):
    participants = IdMultipleChoiceField(
        label=_("Peer workers"),
        queryset=PeerWorker.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("One for individual supervision, several for group supervision."),
    )
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    start_time = forms.TimeField(label=_("From"), widget=TIME_WIDGET)
    end_time = forms.TimeField(label=_("To"), widget=TIME_WIDGET)
    supervisor = forms.CharField(
        label=_("Supervisor"),
        max_length=200,
        help_text=_("A name: the supervisor needs no login."),
    )
    supervisor_organisation = forms.CharField(
        label=_("Supervisor's organisation"), max_length=200, required=False
    )
    topic = forms.CharField(
        label=_("Theme"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"list": "supervision-topics"}),
        help_text=_(
            "For example the balance between professional and private, peer drift, "
            "or personal limits."
        ),
    )
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    repeat_weeks = forms.IntegerField(
        label=_("Repeat every … weeks"),
        min_value=0,
        max_value=12,
        initial=0,
        required=False,
        help_text=_("0: once. The Capital Region gave group supervision every 6 weeks."),
    )
    sessions = forms.IntegerField(
        label=_("Number of sessions"), min_value=1, max_value=26, initial=1, required=False
    )

    def __init__(self, *args: Any, peers: QuerySet[PeerWorker], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        participants = model_choice_field(self, "participants")
        participants.queryset = peers
        label_choices(participants, lambda p: f"{p.name} ({p.unit.name})")
        self.topics = [str(t) for t in SUPERVISION_TOPICS]
        self.helper = _helper(
            Layout(
                "participants",
                Row(Column("date"), Column("start_time"), Column("end_time")),
                Row(Column("repeat_weeks"), Column("sessions")),
                Row(Column("supervisor"), Column("supervisor_organisation")),
                "topic",
                HTML(
                    '<datalist id="supervision-topics">{% for t in form.topics %}'
                    '<option value="{{ t }}">{% endfor %}</datalist>'
                ),
                Row(Column("online_link"), Column("place")),
            )
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.clean_times(self.cleaned_data)
        add_rule_errors(
            self,
            [
                lambda: not_in_past(
                    cleaned, "date", message=_("Supervision is planned for today or later.")
                )
            ],
        )
        # Left empty: once.
        if cleaned.get("repeat_weeks") is None and "repeat_weeks" not in self.errors:
            cleaned["repeat_weeks"] = 0
        if cleaned.get("sessions") is None and "sessions" not in self.errors:
            cleaned["sessions"] = 1
        weeks, sessions = cleaned.get("repeat_weeks"), cleaned.get("sessions")
        if weeks == 0 and sessions and sessions > 1 and "repeat_weeks" not in self.errors:
            self.add_error(
                "repeat_weeks",
                _("Say how many weeks apart the %(n)s sessions are.") % {"n": sessions},
            )
        if weeks and sessions == 1 and "sessions" not in self.errors:
            self.add_error("sessions", _("A series has at least two sessions."))
        return cleaned


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Topic"), max_length=200)
    description = forms.CharField(
        label=_("Why, and who could talk about it"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ChooseTopicForm(forms.Form):
    meeting = IdChoiceField(label=_("For the meeting"), queryset=Meeting.objects.none())

    def __init__(self, *args: Any, group: ErfaGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "meeting").queryset = group.meetings.filter(
            starts_at__gte=timezone.now(), status=Meeting.Status.PLANNED
        )
        label_choices(
            model_choice_field(self, "meeting"),
            lambda m: (
                date_format(timezone.localtime(m.starts_at), "SHORT_DATETIME_FORMAT")
                + (f" – {m.topic}" if m.topic else "")
            ),
        )


class CheckInMoveForm(forms.Form):
    """One clashing check-in: move it or not, and to which day (at its own time)."""

    checkin = forms.IntegerField(widget=forms.HiddenInput)
    version = VersionField()
    move = forms.BooleanField(
        label=_("Move"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    new_date = forms.DateField(
        label=_("New day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("move"):
            new_date_errors(self, missing=_("Choose the new day, or untick “Move”."))
        return cleaned


class BaseCheckInMoveFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if not any(f.cleaned_data.get("move") for f in self.forms):
            raise forms.ValidationError(_("Tick at least one check-in to move."))

    def add_error(self, message: str) -> None:
        """A refusal that concerns the whole list (someone changed a check-in meanwhile)."""
        self._non_form_errors = self.error_class(
            [*self.non_form_errors(), message], error_class="nonform"
        )


CheckInMoveFormSet = forms.formset_factory(CheckInMoveForm, formset=BaseCheckInMoveFormSet, extra=0)
