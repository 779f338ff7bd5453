"""What every view shares: the request a signed-in page receives, and the one pair of lookups.

`read_or_404` answers 404 for an object the person may not know exists; `change_or_403` answers 403 for one they
can see but not change. The floors from `centres` up pass the person's `centres.access.Access` as the viewer
(through `centres.access.read_or_404`, which binds it); the floors below it pass the user.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django_htmx.middleware import HtmxDetails

from accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """For type checking: `LoginRequiredMiddleware` lets no one else through, and django-htmx adds `htmx`."""

    user: User
    htmx: HtmxDetails


def read_or_404[V, M: Model](
    viewer: V, found: QuerySet[M], pk: int, may_read: Callable[[V, M], bool], *, what: str = "object"
) -> M:
    """The object if the viewer may read it; otherwise 404, so that its existence is not revealed."""
    obj = found.filter(pk=pk).first()
    if obj is None or not may_read(viewer, obj):
        raise Http404(f"No such {what}")
    return obj


def change_or_403[V, M](viewer: V, obj: M, may_change: Callable[[V, M], bool], message: str = "") -> M:
    """The object (already read) if the viewer may change it; otherwise 403 with the reason."""
    if not may_change(viewer, obj):
        raise PermissionDenied(message)
    return obj
