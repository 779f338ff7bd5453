from collections.abc import Callable

from django.http import HttpRequest

from centres.access import access_of
from quality.permissions import can_view_iqa_dashboard


def iqa_nav(request: HttpRequest) -> dict[str, Callable[[], bool]]:
    """`show_iqa_nav`, asked only when a template reads it, from the request's `Access`."""
    if getattr(request, "user", None) is None:
        return {}
    return {"show_iqa_nav": lambda: can_view_iqa_dashboard(access_of(request))}
