"""The site's URLs: each app's own, included at the root (their paths do not overlap)."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("assessments.urls")),
    path("", include("portfolio.urls")),
    path("", include("centres.urls")),
    path("", include("quality.urls")),
    path("", include("records.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("specifications/", include("units.urls")),
    path("notifications/", include("notifications.urls")),
    path("admin/", admin.site.urls),
]
