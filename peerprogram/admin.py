"""The shared model in the Django admin.

Every relation to a table that grows with the programme (staff, users, units, peer workers)
is a search box or an id field, never a <select> of every row, and every changelist joins
the relations it shows (tests/peerprogram/test_admin_scale.py holds both).
"""

from typing import Any

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import Group, User
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats

from .imports import ImportFileError, read_dataset
from .models import AuditEvent, PeerWorker, SignOn, StaffMember, Unit
from .resources import StaffResource, UnitResource


class CheckedChangeList(ChangeList):
    """A changelist filtered by a value the database cannot compare answers as Django's
    admin does for any other bad filter: back to the list with ?e=1, not a 500. An id past
    64 bits (`?unit=99999999999999999999999`, `?id__in=…`) passes Django's own checks and
    is an OverflowError on SQLite only when the rows are counted."""

    def get_results(self, request: HttpRequest) -> None:
        try:
            super().get_results(request)
        except (OverflowError, ValueError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class CheckedLookupsMixin:
    """For every ModelAdmin of the project (tests/peerprogram/test_admin_lookups.py
    holds it): its changelist is a CheckedChangeList."""

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return CheckedChangeList


class ReadOnlyAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """What the product writes for itself (logs, counts, the daily run): only to read."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class CheckedCSV(base_formats.CSV):
    """The admin's CSV import read by the product's own reader (peerprogram.imports): the
    encoding and separator Excel uses, and the same limits."""

    def is_binary(self) -> bool:
        return True  # read_dataset finds the encoding itself

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> Any:
        return read_dataset(_as_bytes(in_stream), "import.csv").dataset


class CheckedXLSX(base_formats.XLSX):
    """The admin's Excel import read by the product's own reader: the declared size and the
    unpacked size are checked before anything is read (no zip bomb, no 16,384 columns)."""

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> Any:
        return read_dataset(_as_bytes(in_stream), "import.xlsx").dataset


def _as_bytes(data: Any) -> bytes:
    return data.encode() if isinstance(data, str) else bytes(data)


class CheckedImportExportAdmin(ImportExportModelAdmin):
    """An ImportExportModelAdmin with a CheckedChangeList, reading files as the product's
    own import does and saying why a file was refused. (CheckedLookupsMixin beside
    import-export's own bases: mypy finds their stubs at odds with each other.)"""

    import_formats = [CheckedCSV, CheckedXLSX]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return CheckedChangeList

    def add_data_read_fail_error_to_form(self, form: Any, e: Exception) -> None:
        if isinstance(e, ImportFileError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)


@admin.register(Unit)
class UnitAdmin(CheckedImportExportAdmin):
    resource_classes = [UnitResource]
    list_display = ["name", "kind", "organisation", "leader", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "organisation"]
    list_select_related = ["leader"]
    autocomplete_fields = ["leader"]


@admin.register(StaffMember)
class StaffMemberAdmin(CheckedImportExportAdmin):
    resource_classes = [StaffResource]
    list_display = ["name", "email", "unit", "profession", "is_centre_staff", "active"]
    list_filter = ["profession", "is_centre_staff", "active", "unit__kind"]
    search_fields = ["name", "email"]
    list_select_related = ["unit"]
    autocomplete_fields = ["user", "unit"]


@admin.register(PeerWorker)
class PeerWorkerAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["staff_member", "start_date", "hours_per_week", "employment_form", "end_date"]
    list_filter = ["employment_form"]
    search_fields = ["staff_member__name"]
    autocomplete_fields = ["staff_member"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PeerWorker]:
        # A peer worker is named by the staff member: in the changelist, on its page and in
        # the autocomplete boxes that point here.
        return super().get_queryset(request).select_related("staff_member")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail is written by the services only."""

    list_display = ["at", "actor", "action", "object_type", "object_id", "summary"]
    # The trail grows with every write: a date filter with fixed choices, not a hierarchy
    # (which reads every row for the months that hold one); the actions are searched, not
    # listed (listing them reads every row); no full count on each filtered page.
    list_filter = [("at", admin.DateFieldListFilter), "object_type"]
    search_fields = ["action"]
    list_select_related = ["actor"]
    show_full_result_count = False


# Django's and django-axes' own pages (registered before this module is read) answer a bad
# filter the same way.


class UserAdmin(CheckedLookupsMixin, auth_admin.UserAdmin):
    pass


class GroupAdmin(CheckedLookupsMixin, auth_admin.GroupAdmin):
    pass


class AccessAttemptAdmin(CheckedLookupsMixin, axes_admin.AccessAttemptAdmin):
    pass


class AccessLogAdmin(CheckedLookupsMixin, axes_admin.AccessLogAdmin):
    pass


class AccessFailureLogAdmin(CheckedLookupsMixin, axes_admin.AccessFailureLogAdmin):
    pass


for _model, _model_admin in [
    (User, UserAdmin),
    (Group, GroupAdmin),
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
]:
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
        admin.site.register(_model, _model_admin)


@admin.register(SignOn)
class SignOnAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """Which identity at the region's login each login is bound to. Deleting a binding lets
    the next sign-on with the staff record's address bind the login again (a person who got
    a new identity at the region)."""

    list_display = ["user", "issuer", "subject", "bound_at"]
    search_fields = ["user__username", "subject"]
    list_select_related = ["user"]
    readonly_fields = ["user", "issuer", "subject", "bound_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
