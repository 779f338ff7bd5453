"""Reading notifications: a person's own, newest first, and how many they have not read."""

from django.db.models import QuerySet

from accounts.models import User
from notifications.models import Notification


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """The person's notifications, newest first; each row is all the list page needs (no joins)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(*, user: User) -> int:
    """One indexed count, on (recipient, read_at)."""
    return Notification.objects.filter(recipient=user, read_at=None).count()
