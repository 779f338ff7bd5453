from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The append-only, hash-chained record of every decision, change and signature."""

    name = "audit"
    verbose_name = "Audit trail"
