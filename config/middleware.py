"""Site-wide HTTP behaviour that belongs to no app."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


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
