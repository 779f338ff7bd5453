"""E-mail as plain text whose lines reach the reader whole.

Python's e-mail package encodes any text with a line over 78 characters as quoted-printable, which folds that
line with a trailing "=": a set-password link then shows cut in two on the development console and in any reader
that shows the raw text, and opening its first half answers "This link no longer works". Lines up to SMTP's
limit of 998 octets may travel unencoded, so text parts that fit are sent 7bit (ASCII) or 8bit instead.
"""

import email.message
import email.policy
from collections.abc import Sequence
from email.policy import Policy

from django.core.mail import EmailMultiAlternatives

SMTP_LINE_LIMIT = 998  # octets, without the line ending (RFC 5322 2.1.1)


def _unfold(part: email.message.EmailMessage) -> None:
    text = part.get_content()
    if any(len(line.encode()) > SMTP_LINE_LIMIT for line in text.splitlines()):
        return
    if not text.isascii() and part.policy.cte_type != "8bit":
        return
    part.set_content(
        text,
        subtype=part.get_content_subtype(),
        charset=part.get_content_charset() or "utf-8",
        cte="7bit" if text.isascii() else "8bit",
    )


class PlainTextEmail(EmailMultiAlternatives):
    """Django's message, with each quoted-printable text part that fits sent 7bit or 8bit (see the module)."""

    def message(self, *, policy: Policy | None = email.policy.default) -> email.message.EmailMessage:
        message = super().message(policy=policy or email.policy.default)
        for part in message.walk():
            if (
                part.get_content_maintype() == "text"
                and not part.is_attachment()
                and part.get("Content-Transfer-Encoding") == "quoted-printable"
            ):
                _unfold(part)
        return message


def send_text_mail(subject: str, body: str, recipients: Sequence[str]) -> None:
    """Send one plain-text e-mail from DEFAULT_FROM_EMAIL; raises what the backend raises."""
    PlainTextEmail(subject, body, None, list(recipients)).send()
