from django.contrib import admin
from django.db import models

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
class CourseAdmin(admin.ModelAdmin):
    inlines = [ModuleInline]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "course"]


class CohortModuleInline(admin.TabularInline):
    model = CohortModule
    extra = 0


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "start_date", "status", "capacity", "fee_dkk"]
    list_filter = ["status"]
    inlines = [CohortModuleInline]


@admin.register(CohortModule)
class CohortModuleAdmin(admin.ModelAdmin):
    list_display = ["cohort", "module", "first_day", "place"]
    list_select_related = ["cohort", "module"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "cohort", "status", "paying_unit", "requested_at"]
    list_filter = ["status", "cohort"]
    list_select_related = ["cohort", "peer__staff_member", "paying_unit"]
    raw_id_fields = ["peer"]


@admin.register(DayAttendance)
class DayAttendanceAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "session", "day"]
    list_select_related = ["enrolment__peer__staff_member", "session__cohort", "session__module"]


@admin.register(MentorModule)
class MentorModuleAdmin(admin.ModelAdmin):
    list_display = ["mentor", "session"]
    list_select_related = ["mentor", "session__cohort", "session__module"]


@admin.register(MandatoryCourse)
class MandatoryCourseAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "active"]


@admin.register(CourseRecord)
class CourseRecordAdmin(admin.ModelAdmin):
    list_display = ["peer", "course", "enrolled_on", "completed_on"]
    list_select_related = ["peer__staff_member", "course"]


@admin.register(ErfaGroup)
class ErfaGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "audience", "duration_minutes", "active"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    filter_horizontal = ["members"]


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(admin.ModelAdmin):
    list_display = ["group", "frequency", "interval", "weekday", "first_date", "last_date"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "status", "starts_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["kind", "status", "group"]
    list_select_related = ["group"]
    filter_horizontal = ["participants"]


@admin.register(MeetingAttendance)
class MeetingAttendanceAdmin(admin.ModelAdmin):
    list_display = ["meeting", "person"]
    list_select_related = ["meeting__group", "person"]


@admin.register(TopicProposal)
class TopicProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "status", "proposed_at"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """The secret address is never shown here; renewing it is the person's own action."""

    list_display = ["person", "renewed_at"]
    fields = ["person", "renewed_at"]
    readonly_fields = ["person", "renewed_at"]

    def has_add_permission(self, request):
        return False
