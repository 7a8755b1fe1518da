from django.contrib import admin

from peerprogram.admin import CheckedLookupsMixin

from .models import SignalAck


@admin.register(SignalAck)
class SignalAckAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["peer", "kind", "created_at", "by"]
    list_filter = ["kind"]
    list_select_related = ["peer__staff_member", "by"]
    raw_id_fields = ["peer", "by"]
    date_hierarchy = "created_at"
