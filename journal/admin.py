"""The journal in the admin: the access log and the monthly counts, only to read.

Patients, notes, versions, referrals and group notes are not registered at all:
administrators follow the journal through the statistics, never its content.
"""

from django.contrib import admin

from peerprogram.admin import ReadOnlyAdmin

from .models import NoteAccess, PeerMonth, ProgrammeFigures


@admin.register(NoteAccess)
class NoteAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "who", "action", "patient_id", "note_id", "version_number"]
    # The log grows with every reading of a note: a date filter with fixed choices, not a
    # hierarchy (which reads every row for the months that hold one), and no full count on
    # each filtered page.
    list_filter = [("at", admin.DateFieldListFilter), "action"]
    search_fields = ["who"]
    show_full_result_count = False


@admin.register(PeerMonth)
class PeerMonthAdmin(ReadOnlyAdmin):
    """Counts only; kept by the journal's services (and `manage.py rebuild_statistics`)."""

    list_display = ["month", "peer", "notes", "conversations", "group_sessions", "minutes"]
    list_select_related = ["peer__staff_member"]
    search_fields = ["peer__staff_member__name"]
    # A row per peer worker and month: a date filter with fixed choices, not a hierarchy
    # (which reads every row for the years that hold one).
    list_filter = [("month", admin.DateFieldListFilter)]


@admin.register(ProgrammeFigures)
class ProgrammeFiguresAdmin(ReadOnlyAdmin):
    """Kept by the daily run (`store_programme_health`), today's only."""

    list_display = ["day", "made_at", "level"]
