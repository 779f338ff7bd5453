"""The audit trail in the Django admin: read-only for everyone, superusers included."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from audit.models import AuditCheckpoint, AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("sequence", "at", "actor_name", "action", "summary", "learner", "centre")
    list_filter = ("action", "centre")
    search_fields = ("summary", "actor_name", "subject_id", "learner__full_name", "learner__email")
    list_select_related = ("learner", "centre")
    date_hierarchy = "at"
    fields = (
        "sequence",
        "at",
        "actor",
        "actor_name",
        "action",
        "centre",
        "learner",
        "subject_type",
        "subject_id",
        "summary",
        "before",
        "after",
        "previous_hash",
        "entry_hash",
    )
    readonly_fields = fields


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ("chain", "sequence", "at", "key_id")
    list_filter = ("chain",)
    fields = ("chain", "sequence", "entry_hash", "at", "key_id", "signature")
    readonly_fields = fields
