from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Telling people what happened to them: an in-app list and an e-mail sent by the background worker."""

    name = "notifications"
