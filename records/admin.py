"""Exports in the Django admin, for staff to see what was asked for, by whom, and why one failed."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from records.models import Export


@admin.register(Export)
class ExportAdmin(ReadOnlyAdmin):
    list_display = ("pk", "centre", "scope", "requested_by", "requested_at", "status", "done", "total")
    list_filter = ("status", "scope", "requested_at")
    list_select_related = ("centre", "requested_by")
    date_hierarchy = "requested_at"
