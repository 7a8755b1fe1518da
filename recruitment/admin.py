"""Recruitment in the Django admin.

Relations to tables that grow with the programme are search boxes (autocomplete), never a
<select> of every row; each changelist joins what its rows show, and the admins that other
boxes search label their rows without a query each (tests/peerprogram/test_admin_scale.py).
"""

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from peerprogram.admin import CheckedLookupsMixin

from . import services
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


class StoresDueDaysMixin:
    """An admin whose saves can move a checklist's due days (a vacancy's planned start, a
    checklist's start, a task's anchor): they are stored again after the save, through the
    service that keeps them."""

    def checklists_of(self, obj: Any) -> QuerySet[Onboarding]:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        services.checklist_due_days_refresh(onboardings=self.checklists_of(obj))


@admin.register(PostingTemplate)
class PostingTemplateAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "active", "updated_at"]
    autocomplete_fields = ["updated_by"]


class CommitteeInline(admin.TabularInline):
    model = CommitteeMember
    extra = 0
    autocomplete_fields = ["staff_member"]


@admin.register(Vacancy)
class VacancyAdmin(StoresDueDaysMixin, CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["title", "unit", "status", "hours_per_week", "application_deadline"]
    list_filter = ["status", "unit__kind"]
    search_fields = ["title", "unit__name"]
    autocomplete_fields = ["unit", "contact_person", "created_by"]
    inlines = [CommitteeInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Vacancy]:
        # A vacancy is named with its unit (the changelist's join too).
        return super().get_queryset(request).select_related("unit")

    def checklists_of(self, obj: Vacancy) -> QuerySet[Onboarding]:
        return Onboarding.objects.filter(vacancy=obj)


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["vacancy", "staff_member", "seat", "added_on"]
    list_filter = ["seat"]
    search_fields = ["staff_member__name", "vacancy__title"]
    autocomplete_fields = ["vacancy", "staff_member"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CommitteeMember]:
        # A committee member is named by the staff member, a vacancy with its unit. (Joined
        # here, for the changelist too: it applies no list_select_related to a joined query.)
        return super().get_queryset(request).select_related("staff_member", "vacancy__unit")


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    readonly_fields = ["from_stage", "to_stage", "at", "by", "note"]
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[StageChange]:
        return super().get_queryset(request).select_related("by")


@admin.register(Applicant)
class ApplicantAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "vacancy", "stage", "received_on", "answer_given_on", "anonymised_on"]
    list_filter = ["stage"]
    search_fields = ["name", "email", "vacancy__title"]
    list_select_related = ["vacancy__unit"]
    autocomplete_fields = ["vacancy", "hired_peer"]
    inlines = [StageChangeInline]


@admin.register(StageChange)
class StageChangeAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["applicant", "from_stage", "to_stage", "at", "by"]
    list_select_related = ["applicant", "by"]
    autocomplete_fields = ["applicant", "by"]


@admin.register(Interview)
class InterviewAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["applicant", "starts_at", "place"]
    search_fields = ["applicant__name"]
    autocomplete_fields = ["applicant", "present"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Interview]:
        # An interview is named by the applicant (the changelist's join too).
        return super().get_queryset(request).select_related("applicant")


@admin.register(Assessment)
class AssessmentAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["interview", "member", "recommendation", "updated_at"]
    list_select_related = ["interview__applicant", "member__staff_member"]
    autocomplete_fields = ["interview", "member"]


@admin.register(ReferenceCheck)
class ReferenceCheckAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["applicant", "referee", "checked_on"]
    list_select_related = ["applicant"]
    autocomplete_fields = ["applicant", "checked_by"]


@admin.register(ChecklistTemplateItem)
class ChecklistTemplateItemAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["order", "title", "phase", "responsible", "anchor", "offset_days", "active"]
    list_filter = ["phase", "active"]


class ChecklistItemInline(admin.TabularInline):
    """The checklist, to read: a form for each of its ~30 items took half a second to render.
    Each item opens on its own page (ChecklistItemAdmin) to be changed."""

    model = ChecklistItem
    extra = 0
    fields = readonly_fields = ("title", "phase", "responsible", "due_override", "done_on", "note")
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Onboarding)
class OnboardingAdmin(StoresDueDaysMixin, CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["__str__", "unit", "created_at"]
    search_fields = ["peer__staff_member__name", "vacancy__title", "unit__name"]
    autocomplete_fields = ["unit", "vacancy", "peer"]
    ordering = ["-created_at", "pk"]  # the model has none; pages need one
    inlines = [ChecklistItemInline]

    def checklists_of(self, obj: Onboarding) -> QuerySet[Onboarding]:
        return Onboarding.objects.filter(pk=obj.pk)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Onboarding]:
        # An onboarding is named by its peer worker, or its vacancy before the hire. (Joined
        # here, for the changelist too: it applies no list_select_related to a joined query.)
        return (
            super()
            .get_queryset(request)
            .select_related("unit", "peer__staff_member", "vacancy__unit")
        )


@admin.register(ChecklistItem)
class ChecklistItemAdmin(StoresDueDaysMixin, CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["title", "onboarding", "phase", "done_on"]
    list_filter = ["phase"]
    list_select_related = ["onboarding__peer__staff_member", "onboarding__vacancy__unit"]
    autocomplete_fields = ["onboarding", "done_by", "assignee"]

    def checklists_of(self, obj: ChecklistItem) -> QuerySet[Onboarding]:
        return Onboarding.objects.filter(pk=obj.onboarding_id)
