"""The evaluation in the admin: questionnaires, rounds and who was invited; instruments
and research projects. Survey answers are not registered (they are shown only under the
rule of five), nor are outcome measurements and consents (patient data: the caseload's
peer workers only)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from peerprogram.admin import CheckedLookupsMixin

from .models import (
    Instrument,
    InstrumentItem,
    Invitation,
    PeerResearchConsent,
    Question,
    Questionnaire,
    ResearchExport,
    ResearchProject,
    SurveyRound,
)


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["order", "text", "kind", "theme", "for_peers", "for_leaders", "for_colleagues"]


@admin.register(Questionnaire)
class QuestionnaireAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["title", "created_at"]
    search_fields = ["title"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["text", "questionnaire", "kind", "theme", "order"]
    list_select_related = ["questionnaire"]
    list_filter = ["kind", "theme"]
    search_fields = ["text"]
    raw_id_fields = ["questionnaire"]


@admin.register(SurveyRound)
class SurveyRoundAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """As on the Centre's page: once open, only the title and the last day change, and a
    closed round is not reopened (results compared before and after would tell the
    answers given in between)."""

    list_display = ["title", "questionnaire", "opens_on", "closes_on", "invited_on"]
    list_select_related = ["questionnaire"]
    search_fields = ["title"]
    raw_id_fields = ["questionnaire"]
    autocomplete_fields = ["units"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        today = timezone.localdate()
        if obj is None or not obj.has_opened(today):
            return []
        fixed = ["questionnaire", "opens_on", "units", "ask_peers", "ask_leaders", "ask_colleagues"]
        return [*fixed, "closes_on"] if obj.is_closed(today) else fixed


@admin.register(Invitation)
class InvitationAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """Who was asked and whether they have answered; never what they answered."""

    list_display = ["person", "round", "unit", "group", "sent_on", "answered"]
    list_select_related = ["person", "round", "unit"]
    list_filter = ["group", "answered"]
    search_fields = ["person__name", "round__title"]
    raw_id_fields = ["round", "person", "unit"]
    readonly_fields = ["answered"]


class ItemInline(admin.TabularInline):
    model = InstrumentItem
    extra = 0
    fields = ["order", "text", "reversed"]


class UsedItemInline(ItemInline):
    readonly_fields = ItemInline.fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Instrument)
class InstrumentAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """Once used with patients, an instrument's scale, scoring and items stay (scores
    over time must compare), as on the Centre's own page."""

    list_display = ["name", "scoring", "active"]
    search_fields = ["name"]
    inlines = [ItemInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and obj.measurements.exists():
            return ["scale_min", "scale_max", "scoring", "timepoints"]
        return []

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        if obj is not None and obj.measurements.exists():
            return [UsedItemInline]
        return [ItemInline]


@admin.register(InstrumentItem)
class InstrumentItemAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["text", "instrument", "order", "reversed"]
    list_select_related = ["instrument"]
    search_fields = ["text"]
    raw_id_fields = ["instrument"]

    def _used(self, obj: Any) -> bool:
        return obj is not None and obj.instrument.measurements.exists()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._used(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._used(obj) and super().has_delete_permission(request, obj)


@admin.register(PeerResearchConsent)
class PeerResearchConsentAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["peer", "research", "research_on"]
    list_select_related = ["peer__staff_member"]
    search_fields = ["peer__staff_member__name"]
    raw_id_fields = ["peer"]


@admin.register(ResearchProject)
class ResearchProjectAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["title", "approval", "starts_on", "ends_on", "researcher"]
    search_fields = ["title", "approval"]
    exclude = ["key"]


@admin.register(ResearchExport)
class ResearchExportAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """The record of exports: read only."""

    list_display = ["at", "project", "who", "patients", "rows"]
    list_select_related = ["project"]
    raw_id_fields = ["project", "by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
