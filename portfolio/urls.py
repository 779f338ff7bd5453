from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("portfolio.evidence_urls")),
    path("", include("portfolio.file_urls")),
    path("", include("portfolio.centre_urls")),
    path("", include("audit.urls")),
    path("", include("assessments.urls")),
    path("", include("assessments.eqa_urls")),
    path("", include("records.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("specifications/", include("units.urls")),
    path("notifications/", include("notifications.urls")),
    path("admin/", admin.site.urls),
]
