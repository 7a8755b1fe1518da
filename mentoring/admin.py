from django.contrib import admin

from . import services
from .models import (
    AwayPeriod,
    CheckIn,
    MentorIntroduction,
    Mentorship,
    MentorshipTask,
    ReminderSent,
)


@admin.register(Mentorship)
class MentorshipAdmin(admin.ModelAdmin):
    list_display = ["peer", "mentor", "start_date", "end_date", "end_reason", "rhythm"]
    list_filter = ["end_reason", "rhythm"]
    search_fields = ["peer__staff_member__name", "mentor__name"]
    list_select_related = ["peer__staff_member", "mentor"]
    autocomplete_fields = ["peer", "mentor"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    # The note is between the mentor and the peer worker: not shown here either.
    list_display = ["mentorship", "date", "time", "status", "duration_minutes"]
    list_filter = ["status"]
    fields = ["mentorship", "date", "time", "moved_from", "status", "duration_minutes", "topics"]
    list_select_related = ["mentorship__peer__staff_member", "mentorship__mentor"]
    raw_id_fields = ["mentorship"]

    # Every write goes through the mentoring services, which keep the mentorships' last
    # held date (a check-in moved to another mentorship changes both).
    def save_model(self, request, obj, form, change):
        moved_from = None
        if change and "mentorship" in form.changed_data:
            moved_from = form.initial["mentorship"]
        services.checkin_change(checkin=obj, by=request.user, moved_from=moved_from)

    def delete_model(self, request, obj):
        services.checkins_delete(checkins=CheckIn.objects.filter(pk=obj.pk), by=request.user)

    def delete_queryset(self, request, queryset):
        services.checkins_delete(checkins=queryset, by=request.user)

    def lookup_allowed(self, lookup, value, request=None):
        # No filtering on the note either (?note__icontains=… would reveal it).
        if lookup.split("__")[0] == "note":
            return False
        return super().lookup_allowed(lookup, value, request)


@admin.register(MentorIntroduction)
class MentorIntroductionAdmin(admin.ModelAdmin):
    list_display = ["staff_member", "attended_on"]
    autocomplete_fields = ["staff_member"]


@admin.register(AwayPeriod)
class AwayPeriodAdmin(admin.ModelAdmin):
    list_display = ["mentor", "first_day", "last_day", "note"]
    autocomplete_fields = ["mentor"]


@admin.register(MentorshipTask)
class MentorshipTaskAdmin(admin.ModelAdmin):
    list_display = ["mentorship", "task", "done_on"]
    list_select_related = ["mentorship__peer__staff_member", "mentorship__mentor"]


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["kind", "key", "day", "to"]
