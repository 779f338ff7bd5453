from functools import cache

from django.http import HttpRequest

from notifications.selectors import unread_count as count_unread


def unread_count(request: HttpRequest) -> dict[str, object]:
    """`unread_notification_count` for the navigation: one query when a template first reads it, none for
    visitors, none for htmx partials that do not show the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notification_count": cache(lambda: count_unread(user=user))}
