"""The site's URLs and the benchmarks' trivial page (bench/trivial.py)."""

from django.urls import include, path
from trivial import TRIVIAL_PATH, session_page

urlpatterns = [
    path(TRIVIAL_PATH.lstrip("/"), session_page, name="bench_session"),
    path("", include("config.urls")),
]
