from collections.abc import Callable

from django.http import HttpRequest

from centres.access import access_of
from centres.permissions import can_view_any_centre


def centre_nav(request: HttpRequest) -> dict[str, Callable[[], bool]]:
    """`show_centre_nav`: asked only when a template reads it, from the request's `Access` (one query for the
    person's roles if no check has read them yet, none for visitors)."""
    if getattr(request, "user", None) is None:
        return {}
    return {"show_centre_nav": lambda: can_view_any_centre(access_of(request))}
