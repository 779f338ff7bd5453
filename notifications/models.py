"""A notification: one line of news for one person, shown in the app and sent once by e-mail."""

from django.conf import settings
from django.db import models
from django.utils.http import url_has_allowed_host_and_scheme

# A subject becomes an e-mail's subject line; `notifications.services.notify` shortens a longer one to fit.
SUBJECT_MAX_LENGTH = 200


def is_local_path(url: str) -> bool:
    """True for a path on this site (`/evidence/3/`); false for another site, `//host` or `/\\host`."""
    return (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(url, allowed_hosts=set(), require_https=False)
    )


class Notification(models.Model):
    """News for `recipient`; `url` is where it leads, a local path. E-mailed once by the background worker."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(max_length=SUBJECT_MAX_LENGTH)
    message = models.TextField(blank=True)
    url = models.CharField(
        max_length=500, blank=True, help_text="Where the notification leads: a path on this site."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True, help_text="Why the last attempt to e-mail it failed.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_recipient_read")]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
