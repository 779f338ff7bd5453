"""Sign-in pages that differ from Django's own (`signin` builds on them)."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.utils import timezone
from django.utils.timesince import timeuntil

from accounts.forms import PasswordResetForm


def reset_link_lifetime() -> str:
    """How long a password-reset link works, in words ("3 days"): PASSWORD_RESET_TIMEOUT."""
    start = timezone.now()
    return timeuntil(start + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT), start)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with the e-mail saying how long its link works, its lines (the link) arriving whole."""

    form_class = PasswordResetForm

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = {"link_lifetime": reset_link_lifetime()}
        return super().form_valid(form)
