"""The workers in the Django admin, for the site operator: which ran, when each was last seen, how it stopped."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from jobs.models import Worker


@admin.register(Worker)
class WorkerAdmin(ReadOnlyAdmin):
    list_display = ("worker_id", "hostname", "pid", "started_at", "seen_at", "stopped_at", "stop_reason")
