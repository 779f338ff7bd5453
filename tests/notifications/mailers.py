"""A mail backend that always fails, for tests of what happens when the mail server is down."""

from django.core.mail.backends.base import BaseEmailBackend


class BrokenMailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server refused the connection")


BROKEN_MAILERS = {"default": {"BACKEND": "tests.notifications.mailers.BrokenMailBackend"}}
