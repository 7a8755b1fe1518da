from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from .models import AuditEvent, PeerWorker, StaffMember, Unit
from .resources import StaffResource, UnitResource


@admin.register(Unit)
class UnitAdmin(ImportExportModelAdmin):
    resource_classes = [UnitResource]
    list_display = ["name", "kind", "organisation", "leader", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "organisation"]
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
    list_select_related = ["staff_member"]
    autocomplete_fields = ["staff_member"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "summary"]
    list_filter = ["action", "object_type"]
    date_hierarchy = "at"

    # The audit trail is written by the services only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
