"""Education in the Django admin.

Relations to tables that grow with the programme (people, cohorts, groups, meetings) are
search boxes, never a <select> of every row; each changelist joins what its rows show, and
the admins that other boxes search label their rows without a query each
(tests/peerprogram/test_admin_scale.py).
"""

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from peerprogram.admin import CheckedLookupsMixin

from .models import (
    CalendarFeed,
    Cohort,
    CohortModule,
    Course,
    CourseRecord,
    DayAttendance,
    Enrolment,
    ErfaGroup,
    MandatoryCourse,
    Meeting,
    MeetingAttendance,
    MeetingSeries,
    MentorModule,
    Module,
    TopicProposal,
)


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0


@admin.register(Course)
class CourseAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    inlines = [ModuleInline]


@admin.register(Module)
class ModuleAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["number", "title", "course"]
    list_select_related = ["course"]


class CohortModuleInline(admin.TabularInline):
    model = CohortModule
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[CohortModule]:
        # Each row is headed by its name (cohort and module).
        return super().get_queryset(request).select_related("cohort", "module")


@admin.register(Cohort)
class CohortAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "start_date", "status", "capacity", "fee_dkk"]
    list_filter = ["status"]
    search_fields = ["name"]
    inlines = [CohortModuleInline]


@admin.register(CohortModule)
class CohortModuleAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["cohort", "module", "first_day", "place"]
    search_fields = ["cohort__name", "module__title"]
    autocomplete_fields = ["cohort"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CohortModule]:
        # A teaching session is named by its cohort and module (the changelist's join too).
        return super().get_queryset(request).select_related("cohort", "module")


@admin.register(Enrolment)
class EnrolmentAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["__str__", "cohort", "status", "paying_unit", "requested_at"]
    # The cohorts grow with the years: filtered by their status, found by name in the search.
    list_filter = ["status", "cohort__status"]
    search_fields = ["peer__staff_member__name", "external_name", "cohort__name"]
    autocomplete_fields = ["cohort", "peer", "paying_unit", "enrolled_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Enrolment]:
        # An enrolment is named by its participant. (Joined here, for the changelist too: it
        # applies no list_select_related to a joined query.)
        return (
            super()
            .get_queryset(request)
            .select_related("peer__staff_member", "cohort", "paying_unit")
        )


@admin.register(DayAttendance)
class DayAttendanceAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["enrolment", "session", "day"]
    list_select_related = ["enrolment__peer__staff_member", "session__cohort", "session__module"]
    autocomplete_fields = ["enrolment", "session"]


@admin.register(MentorModule)
class MentorModuleAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["mentor", "session"]
    list_select_related = ["mentor", "session__cohort", "session__module"]
    autocomplete_fields = ["mentor", "session"]


@admin.register(MandatoryCourse)
class MandatoryCourseAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "order", "active"]


@admin.register(CourseRecord)
class CourseRecordAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["peer", "course", "enrolled_on", "completed_on"]
    list_select_related = ["peer__staff_member", "course"]
    autocomplete_fields = ["peer"]


@admin.register(ErfaGroup)
class ErfaGroupAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "audience", "duration_minutes", "active"]
    search_fields = ["name"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    autocomplete_fields = ["facilitator", "members"]


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["group", "frequency", "interval", "weekday", "first_date", "last_date"]
    search_fields = ["group__name"]
    autocomplete_fields = ["group", "created_by"]
    ordering = ["-first_date", "pk"]  # the model has none; pages need one

    def get_queryset(self, request: HttpRequest) -> QuerySet[MeetingSeries]:
        # A series is named by its group (the changelist's join too).
        return super().get_queryset(request).select_related("group")


@admin.register(Meeting)
class MeetingAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["__str__", "kind", "status", "starts_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # The groups grow with the programme: filtered by their audience, found by name.
    list_filter = ["kind", "status", "group__audience"]
    search_fields = ["group__name"]
    autocomplete_fields = ["group", "series", "facilitator", "participants"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Meeting]:
        # An erfa meeting is named by its group (the changelist's join too).
        return super().get_queryset(request).select_related("group")


@admin.register(MeetingAttendance)
class MeetingAttendanceAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["meeting", "person"]
    list_select_related = ["meeting__group", "person"]
    autocomplete_fields = ["meeting", "person"]


@admin.register(TopicProposal)
class TopicProposalAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["title", "group", "status", "proposed_at"]
    list_select_related = ["group"]
    autocomplete_fields = ["group", "proposed_by", "meeting"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """The secret address is never shown here; renewing it is the person's own action."""

    list_display = ["person", "renewed_at"]
    list_select_related = ["person"]
    fields = ["person", "renewed_at"]
    readonly_fields = ["person", "renewed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
