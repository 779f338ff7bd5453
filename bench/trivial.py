"""The benchmarks' trivial page: a signed-in page that reads nothing but the session.

Every page goes through the same middleware (session, person, access, second factor, headers); this one then
returns a few bytes, so a page's time as a ratio of this one's is what the page itself costs, measured on the
same machine in the same run. It is not in the product: only the benchmarks' settings (bench/server_settings.py,
bench/server_urls.py) serve it.
"""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

TRIVIAL_PATH = "/bench/session/"


@require_GET
def session_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("signed in\n", content_type="text/plain; charset=utf-8")
