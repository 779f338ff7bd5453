"""Notifications in the Django admin, for staff to see what was sent and whether the e-mail went."""

from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("subject", "recipient", "created_at", "read_at", "emailed_at")
    list_filter = ("created_at",)
    list_select_related = ("recipient",)
    search_fields = ("subject", "recipient__email", "recipient__full_name")
    readonly_fields = ("created_at", "read_at", "emailed_at", "email_error")
    autocomplete_fields = ("recipient",)
    date_hierarchy = "created_at"
