"""The journal in the admin: only the access log, and only to read.

Patients, notes, versions, referrals and group notes are not registered at all:
administrators follow the journal through the statistics, never its content.
"""

from django.contrib import admin

from .models import NoteAccess


@admin.register(NoteAccess)
class NoteAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "who", "action", "patient_id", "note_id", "version_number"]
    list_filter = ["action"]
    search_fields = ["who"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
