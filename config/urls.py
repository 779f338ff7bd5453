"""The site's URLs: each app's own, included at the root (their paths do not overlap); Django's sign-in and
password pages (the reset throttled, and sending its link with `accounts.forms.PasswordResetForm`), the second
factor's pages and the health check."""

from django.contrib import admin
from django.urls import include, path

from accounts.forms import PasswordResetForm
from config.health import health
from signin.views import ThrottledPasswordResetView

urlpatterns = [
    path("", include("assessments.urls")),
    path("", include("portfolio.urls")),
    path("", include("centres.urls")),
    path("", include("quality.urls")),
    path("", include("records.urls")),
    # the password reset form counts each request like a sign-in attempt (django-axes), ahead of Django's own,
    # and sends its link in e-mail whose lines arrive whole
    path(
        "accounts/password_reset/",
        ThrottledPasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/", include("signin.urls")),
    path("specifications/", include("units.urls")),
    path("notifications/", include("notifications.urls")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
]
