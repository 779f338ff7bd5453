"""Log every page an external quality assurer opens under a grant in force, for the centre's record."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from assessments import eqa
from assessments.models import EQAPageView

READS = ("GET", "HEAD")


class EQAPageViewMiddleware:
    """After the view: one INSERT for an EQA's successful read (htmx partials too: they show data).

    It costs no query for anyone who is not an EQA: it reads the roles the page's permission checks already
    cached on the user (a page that never read them showed nothing a grant opens, and is not logged), and asks
    for the grants only when one of those roles is EQA. Static and media files are not logged.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Django prefixes relative STATIC_URL and MEDIA_URL with the script name, so an unset MEDIA_URL reads "/".
        self.skipped = tuple(
            prefix for prefix in (settings.STATIC_URL, settings.MEDIA_URL) if prefix and prefix.strip("/")
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method in READS and response.status_code == 200 and not self._skipped(request.path):
            user = request.user
            roles_read = getattr(user, "_centre_roles", None) is not None
            if user.is_authenticated and roles_read and eqa.has_grant_in_force(user):
                grant_id = eqa.grant_for_page_view(user)
                if grant_id is not None:
                    EQAPageView.objects.create(grant_id=grant_id, path=request.get_full_path()[:500])
        return response

    def _skipped(self, path: str) -> bool:
        return any(path.startswith(prefix) for prefix in self.skipped)
