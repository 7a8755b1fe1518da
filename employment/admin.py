from django.contrib import admin
from django.http import HttpRequest

from peerprogram.admin import CheckedLookupsMixin

from .models import (
    FollowUpRhythm,
    FunctionDescription,
    FunctionTemplate,
    OutsideTask,
    Presentation,
    StaffQuestion,
)


@admin.register(FunctionTemplate)
class FunctionTemplateAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["__str__", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]
    list_select_related = ["updated_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: FunctionTemplate | None = None
    ) -> bool:
        return False


@admin.register(FunctionDescription)
class FunctionDescriptionAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """Read-only: descriptions are drafted and agreed in the product, where the agreements
    are given by the leader and the peer worker themselves."""

    list_display = ["peer", "number", "leader_agreed_on", "peer_agreed_on", "review_on"]
    list_select_related = ["peer__staff_member"]
    search_fields = ["peer__staff_member__name"]
    list_filter = ["review_on"]
    raw_id_fields = ["peer", "leader_agreed_by", "created_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: FunctionDescription | None = None
    ) -> bool:
        return False


@admin.register(FollowUpRhythm)
class FollowUpRhythmAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """The rhythm only: the talks themselves are the leader's and the peer worker's, and
    are not in the admin."""

    list_display = ["peer", "probation_days", "after_months"]
    list_select_related = ["peer__staff_member"]
    search_fields = ["peer__staff_member__name"]
    raw_id_fields = ["peer"]


@admin.register(StaffQuestion)
class StaffQuestionAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["question", "order"]
    list_editable = ["order"]


@admin.register(Presentation)
class PresentationAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """Read-only: the peer worker writes and approves their own words in the product."""

    list_display = ["peer", "approved_on", "leaflet_made_on"]
    list_select_related = ["peer__staff_member"]
    search_fields = ["peer__staff_member__name"]
    raw_id_fields = ["peer"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Presentation | None = None) -> bool:
        return False


@admin.register(OutsideTask)
class OutsideTaskAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """The weekly log of tasks outside the description: kinds and hours, no patient data."""

    list_display = ["peer", "week", "kind", "hours"]
    list_filter = ["kind"]
    list_select_related = ["peer__staff_member"]
    search_fields = ["peer__staff_member__name"]
    raw_id_fields = ["peer", "recorded_by"]
    date_hierarchy = "week"
