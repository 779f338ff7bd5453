from django.http import HttpRequest

from portfolio.permissions import can_view_any_centre


def centre_nav(request: HttpRequest) -> dict[str, object]:
    """`show_centre_nav`: asked only when a template reads it, at most one query, none for visitors.

    Centre pages have already read the person's roles for their permission check, so there it costs nothing.
    """
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"show_centre_nav": lambda: can_view_any_centre(user)}
