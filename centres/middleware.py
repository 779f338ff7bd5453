"""Per request: who the person is (`request.access`), and, after the view, the EQA's page-view log."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from centres.access import Access, give_access
from centres.models import EQAPageView

READS = ("GET", "HEAD")
REFUSALS = (403, 404)


class AccessMiddleware:
    """Give each request its `Access`, after authentication; it reads nothing until a check asks."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        give_access(request)
        return self.get_response(request)


class EQAPageViewMiddleware:
    """After the view: one INSERT for an EQA's successful read (htmx partials too: they show data), or for an
    attempt on a centre's page that was refused (403, 404) where the EQA holds a grant at that centre.

    It costs no query for anyone who is not an EQA: it looks only where the page's own checks already read the
    person's roles (a page that never read them showed nothing a grant opens, and is not logged), and asks for
    the grants only when one of those roles is EQA. Static and media files are not logged.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Django prefixes relative STATIC_URL and MEDIA_URL with the script name, so an unset MEDIA_URL reads "/".
        self.skipped = tuple(
            prefix for prefix in (settings.STATIC_URL, settings.MEDIA_URL) if prefix and prefix.strip("/")
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        access = getattr(request, "access", None)
        status = response.status_code
        shown = request.method in READS and status == 200
        if (
            isinstance(access, Access)
            and (shown or status in REFUSALS)
            and not self._skipped(request.path)
            and access.roles_loaded
            and access.has_grant_in_force()
        ):
            grant_id = access.grant_for_page_view(refused=not shown)
            if grant_id is not None:
                EQAPageView.objects.create(
                    grant_id=grant_id,
                    path=request.get_full_path()[:500],
                    method=str(request.method)[:10],
                    status=status,
                )
        return response

    def _skipped(self, path: str) -> bool:
        return any(path.startswith(prefix) for prefix in self.skipped)
