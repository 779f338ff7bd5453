"""The request a signed-in page receives, for type checking: `LoginRequiredMiddleware` lets no one else through,
and django-htmx adds `htmx`. Views that serve signed-in people annotate their request with it."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from accounts.models import User


class AuthenticatedRequest(HttpRequest):
    user: User  # type: ignore[assignment]
    htmx: HtmxDetails
