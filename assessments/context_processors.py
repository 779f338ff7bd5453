from collections.abc import Callable

from django.http import HttpRequest

from assessments.permissions import can_view_caseload
from centres.access import access_of


def caseload_nav(request: HttpRequest) -> dict[str, Callable[[], bool]]:
    """`show_caseload_nav`, asked only when a template reads it, from the request's `Access`."""
    if getattr(request, "user", None) is None:
        return {}
    return {"show_caseload_nav": lambda: can_view_caseload(access_of(request))}
