from django.http import HttpRequest

from assessments.permissions import can_view_caseload, can_view_iqa_dashboard


def caseload_nav(request: HttpRequest) -> dict[str, object]:
    """`show_caseload_nav`, evaluated only when a template reads it, from the shared role cache."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "show_caseload_nav": lambda: can_view_caseload(user),
        "show_iqa_nav": lambda: can_view_iqa_dashboard(user),
    }
