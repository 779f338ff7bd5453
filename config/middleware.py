"""Site-wide HTTP behaviour that belongs to no app."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware


class HtmxRedirectMiddleware:
    """A redirect answering an htmx request becomes a navigation (`HX-Redirect`).

    htmx sends its requests with XMLHttpRequest, which follows a redirect by itself: the next page, header, menu
    and `<main>` included, would be swapped into the form's target. Any htmx form whose outcome is another page
    therefore navigates instead; the response keeps its cookies (the messages waiting for that page).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Request") == "true" and 300 <= response.status_code < 400:
            location = response.headers.get("Location")
            if location:
                del response.headers["Location"]
                response.headers["HX-Redirect"] = location
                response.status_code = 200
        return response


# What is worth compressing: pages, fragments, JSON. Files (streamed: evidence, exports, PDFs) are sent as they
# are, so byte ranges keep their meaning and a compressed video is not compressed again.
COMPRESSIBLE = ("text/html", "application/json", "text/plain", "text/csv")
# Namespaces whose pages show a secret that stays the same from one response to the next (a TOTP key being set
# up, recovery codes): never compressed, so no BREACH guess can be measured against them.
SECRET_PAGES = frozenset({"signin"})


class CompressPagesMiddleware(GZipMiddleware):
    """Gzip for pages (a 3.5 MB page goes as 88 KB), with BREACH in mind.

    BREACH recovers a secret from a compressed page that also reflects the attacker's input, by measuring the
    size of many responses. Here: the CSRF token in forms is masked afresh in every response (Django), so there
    is no fixed secret to guess; Django's GZipMiddleware pads each response by a random length ("Heal the
    Breach"); the session cookie travels in headers, which are not compressed; and pages that show a fixed
    secret in their body (the second-factor set-up and recovery codes) are not compressed at all.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if response.streaming or not response.get("Content-Type", "").startswith(COMPRESSIBLE):
            return response
        match = request.resolver_match
        if match is not None and SECRET_PAGES.intersection(match.namespaces):
            return response
        return super().process_response(request, response)
