from django.contrib import admin

from .models import Mentorship


@admin.register(Mentorship)
class MentorshipAdmin(admin.ModelAdmin):
    list_display = ["peer", "mentor", "start_date", "end_date", "end_reason"]
    list_filter = ["end_reason"]
    search_fields = ["peer__staff_member__name", "mentor__name"]
    list_select_related = ["peer__staff_member", "mentor"]
    autocomplete_fields = ["peer", "mentor"]
