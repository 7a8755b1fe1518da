from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from peerprogram.admin import CheckedLookupsMixin

from .models import Answer, Invitation, Question, Questionnaire, Response, SurveyRound


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
    list_display = ["title", "questionnaire", "opens_on", "closes_on", "invited_on"]
    list_select_related = ["questionnaire"]
    search_fields = ["title"]
    raw_id_fields = ["questionnaire"]
    autocomplete_fields = ["units"]


@admin.register(Invitation)
class InvitationAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """Who was asked and whether they have answered; never what they answered."""

    list_display = ["person", "round", "unit", "group", "sent_on", "answered"]
    list_select_related = ["person", "round", "unit"]
    list_filter = ["group", "answered"]
    search_fields = ["person__name", "round__title"]
    raw_id_fields = ["round", "person", "unit"]
    readonly_fields = ["answered"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "score", "text"]
    readonly_fields = fields
    can_delete = False


@admin.register(Response)
class ResponseAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """Answers, without the person: read-only, as they were sent."""

    list_display = ["round", "unit", "group"]
    list_select_related = ["round", "unit"]
    list_filter = ["group"]
    raw_id_fields = ["round", "unit"]
    inlines = [AnswerInline]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Answer)
class AnswerAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["question", "score"]
    list_select_related = ["question"]
    raw_id_fields = ["response", "question"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
