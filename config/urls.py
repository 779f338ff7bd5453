"""The site's URLs: each app's own, included at the root (their paths do not overlap)."""

from django.contrib import admin
from django.urls import include, path

from config.health import health
from signin.views import ThrottledPasswordResetView
from signing.views import published_keys

urlpatterns = [
    path("", include("assessments.urls")),
    path("", include("portfolio.urls")),
    path("", include("centres.urls")),
    path("", include("quality.urls")),
    path("", include("records.urls")),
    # the password reset form counts each request like a sign-in attempt (django-axes), ahead of Django's own
    path("accounts/password_reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/", include("signin.urls")),
    path("specifications/", include("units.urls")),
    path("notifications/", include("notifications.urls")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    # the public key set, for anyone checking a signed record (README, Verification)
    path(".well-known/portfolio-keys.json", published_keys, name="portfolio_keys"),
]
