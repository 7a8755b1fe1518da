from django.contrib import admin

from peerprogram.admin import ReadOnlyAdmin

from .models import StoredYear


# The daily run's programme report: written by `store_programme_report` only, each run
# in place of the last.
@admin.register(StoredYear)
class StoredYearAdmin(ReadOnlyAdmin):
    list_display = ["year", "day", "made_at"]
