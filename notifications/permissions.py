"""Who may see a notification: only the person it was sent to. Anyone else is answered 404 by the views."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from notifications.models import Notification


def can_view_notification(user: User | AnonymousUser, notification: Notification) -> bool:
    return user.is_authenticated and user.is_active and notification.recipient_id == user.pk
