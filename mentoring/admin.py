"""Mentoring in the Django admin.

Relations to tables that grow with the programme are search boxes or id fields, never a
<select> of every row, and each changelist joins what its rows show
(tests/peerprogram/test_admin_scale.py).
"""

from django.contrib import admin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from peerprogram.admin import CheckedLookupsMixin

from . import services
from .models import (
    AwayPeriod,
    CheckIn,
    MentorIntroduction,
    Mentorship,
    MentorshipTask,
    ReminderSent,
)


def _administrator(request: HttpRequest) -> User:
    """The signed-in user of an admin page (the admin lets no one else in)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


@admin.register(Mentorship)
class MentorshipAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["peer", "mentor", "start_date", "end_date", "end_reason", "rhythm"]
    list_filter = ["end_reason", "rhythm"]
    search_fields = ["peer__staff_member__name", "mentor__name"]
    autocomplete_fields = ["peer", "mentor", "created_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mentorship]:
        # A mentorship is named by its mentor and peer worker (the changelist's join too).
        return super().get_queryset(request).select_related("mentor", "peer__staff_member")


@admin.register(CheckIn)
class CheckInAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    # The note is between the mentor and the peer worker: not shown here either.
    list_display = ["mentorship", "date", "time", "status", "duration_minutes"]
    list_filter = ["status"]
    fields = ["mentorship", "date", "time", "moved_from", "status", "duration_minutes", "topics"]
    list_select_related = ["mentorship__peer__staff_member", "mentorship__mentor"]
    raw_id_fields = ["mentorship"]

    # Every write goes through the mentoring services, which keep the mentorships' last
    # held date (a check-in moved to another mentorship changes both).
    def save_model(
        self, request: HttpRequest, obj: CheckIn, form: "ModelForm[CheckIn]", change: bool
    ) -> None:
        moved_from = None
        if change and "mentorship" in form.changed_data:
            moved_from = form.initial["mentorship"]
        services.checkin_change(checkin=obj, by=_administrator(request), moved_from=moved_from)

    def delete_model(self, request: HttpRequest, obj: CheckIn) -> None:
        services.checkins_delete(
            checkins=CheckIn.objects.filter(pk=obj.pk), by=_administrator(request)
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CheckIn]) -> None:
        services.checkins_delete(checkins=queryset, by=_administrator(request))

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # No filtering on the note either (?note__icontains=… would reveal it).
        if lookup.split("__")[0] == "note":
            return False
        return super().lookup_allowed(lookup, value, request)


@admin.register(MentorIntroduction)
class MentorIntroductionAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["staff_member", "attended_on"]
    list_select_related = ["staff_member"]
    autocomplete_fields = ["staff_member"]


@admin.register(AwayPeriod)
class AwayPeriodAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["mentor", "first_day", "last_day", "note"]
    list_select_related = ["mentor"]
    autocomplete_fields = ["mentor"]


@admin.register(MentorshipTask)
class MentorshipTaskAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["mentorship", "task", "done_on"]
    list_select_related = ["mentorship__peer__staff_member", "mentorship__mentor"]
    autocomplete_fields = ["mentorship"]


@admin.register(ReminderSent)
class ReminderSentAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["kind", "key", "day", "to"]
