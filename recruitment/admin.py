from django.contrib import admin
from django.db import models

from .models import (
    Applicant,
    Assessment,
    ChecklistItem,
    ChecklistTemplateItem,
    CommitteeMember,
    Interview,
    Onboarding,
    PostingTemplate,
    ReferenceCheck,
    StageChange,
    Vacancy,
)


@admin.register(PostingTemplate)
class PostingTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "updated_at"]


class CommitteeInline(admin.TabularInline):
    model = CommitteeMember
    extra = 0
    autocomplete_fields = ["staff_member"]


@admin.register(Vacancy)
class VacancyAdmin(admin.ModelAdmin):
    list_display = ["title", "unit", "status", "hours_per_week", "application_deadline"]
    list_filter = ["status", "unit__kind"]
    search_fields = ["title", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit", "contact_person"]
    inlines = [CommitteeInline]


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(admin.ModelAdmin):
    list_display = ["vacancy", "staff_member", "seat", "added_on"]
    list_filter = ["seat"]
    list_select_related = ["vacancy", "staff_member"]
    autocomplete_fields = ["vacancy", "staff_member"]


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    readonly_fields = ["from_stage", "to_stage", "at", "by", "note"]
    can_delete = False


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ["name", "vacancy", "stage", "received_on", "answer_given_on", "anonymised_on"]
    list_filter = ["stage"]
    search_fields = ["name", "email", "vacancy__title"]
    list_select_related = ["vacancy"]
    autocomplete_fields = ["vacancy", "hired_peer"]
    inlines = [StageChangeInline]


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ["applicant", "from_stage", "to_stage", "at", "by"]
    list_select_related = ["applicant", "by"]


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["applicant", "starts_at", "place"]
    list_select_related = ["applicant"]
    autocomplete_fields = ["applicant"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["interview", "member", "recommendation", "updated_at"]
    list_select_related = ["interview__applicant", "member__staff_member"]


@admin.register(ReferenceCheck)
class ReferenceCheckAdmin(admin.ModelAdmin):
    list_display = ["applicant", "referee", "checked_on"]
    list_select_related = ["applicant"]


@admin.register(ChecklistTemplateItem)
class ChecklistTemplateItemAdmin(admin.ModelAdmin):
    list_display = ["order", "title", "phase", "responsible", "anchor", "offset_days", "active"]
    list_filter = ["phase", "active"]


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["title", "phase", "responsible", "due_override", "done_on", "note"]


@admin.register(Onboarding)
class OnboardingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "unit", "created_at"]
    list_select_related = ["unit", "peer__staff_member", "vacancy"]
    inlines = [ChecklistItemInline]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["title", "onboarding", "phase", "done_on"]
    list_filter = ["phase"]
    list_select_related = ["onboarding__peer__staff_member", "onboarding__vacancy"]
