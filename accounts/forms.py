"""Django's password-reset form, sending its link in e-mail whose lines reach the reader whole."""

import logging
from typing import Any

from django.contrib.auth import forms as auth_forms
from django.template.loader import render_to_string

from accounts.mail import PlainTextEmail

logger = logging.getLogger("django.contrib.auth")


class PasswordResetForm(auth_forms.PasswordResetForm):
    """As Django's, but the e-mail is a `PlainTextEmail`: the link is never folded with a trailing "="."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        message = PlainTextEmail(
            subject, render_to_string(email_template_name, context), from_email, [to_email]
        )
        if html_email_template_name is not None:
            message.attach_alternative(render_to_string(html_email_template_name, context), "text/html")
        try:
            message.send()
        except Exception:  # as Django does: the person is not told whether the address has an account
            logger.exception("Failed to send password reset email to %s", context["user"].pk)
