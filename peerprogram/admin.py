"""The shared model in the Django admin.

Every relation to a table that grows with the programme (staff, users, units, peer workers)
is a search box or an id field, never a <select> of every row, and every changelist joins
the relations it shows (tests/peerprogram/test_admin_scale.py holds both).
"""

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from import_export.admin import ImportExportModelAdmin

from .models import AuditEvent, PeerWorker, StaffMember, Unit
from .resources import StaffResource, UnitResource


@admin.register(Unit)
class UnitAdmin(ImportExportModelAdmin):
    resource_classes = [UnitResource]
    list_display = ["name", "kind", "organisation", "leader", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "organisation"]
    list_select_related = ["leader"]
    autocomplete_fields = ["leader"]


@admin.register(StaffMember)
class StaffMemberAdmin(ImportExportModelAdmin):
    resource_classes = [StaffResource]
    list_display = ["name", "email", "unit", "profession", "is_centre_staff", "active"]
    list_filter = ["profession", "is_centre_staff", "active", "unit__kind"]
    search_fields = ["name", "email"]
    list_select_related = ["unit"]
    autocomplete_fields = ["user", "unit"]


@admin.register(PeerWorker)
class PeerWorkerAdmin(admin.ModelAdmin):
    list_display = ["staff_member", "start_date", "hours_per_week", "employment_form", "end_date"]
    list_filter = ["employment_form"]
    search_fields = ["staff_member__name"]
    autocomplete_fields = ["staff_member"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PeerWorker]:
        # A peer worker is named by the staff member: in the changelist, on its page and in
        # the autocomplete boxes that point here.
        return super().get_queryset(request).select_related("staff_member")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "summary"]
    # The trail grows with every write: a date filter with fixed choices, not a hierarchy
    # (which reads every row for the months that hold one); the actions are searched, not
    # listed (listing them reads every row); no full count on each filtered page.
    list_filter = [("at", admin.DateFieldListFilter), "object_type"]
    search_fields = ["action"]
    list_select_related = ["actor"]
    show_full_result_count = False

    # The audit trail is written by the services only.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
