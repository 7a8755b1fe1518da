from django.contrib import admin

from peerprogram.admin import CheckedLookupsMixin, ReadOnlyAdmin

from .models import HealthRun, SignalAck, SignalRecord, UnitHealthRecord
from .selectors import STORED_COLUMNS


@admin.register(SignalAck)
class SignalAckAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["peer", "kind", "created_at", "by"]
    list_filter = ["kind"]
    list_select_related = ["peer__staff_member", "by"]
    raw_id_fields = ["peer", "by"]
    date_hierarchy = "created_at"


# The daily run's reading of the programme's health: written by `store_programme_health`
# only, each run in place of the last.
@admin.register(HealthRun)
class HealthRunAdmin(ReadOnlyAdmin):
    list_display = ["day", "made_at", "overdue_units"]


@admin.register(UnitHealthRecord)
class UnitHealthRecordAdmin(ReadOnlyAdmin):
    list_display = ["unit", "run", *STORED_COLUMNS]
    list_select_related = ["unit", "run"]
    search_fields = ["unit__name"]


@admin.register(SignalRecord)
class SignalRecordAdmin(ReadOnlyAdmin):
    list_display = ["kind", "peer", "unit", "run"]
    list_filter = ["kind"]
    list_select_related = ["peer__staff_member", "unit", "run"]
