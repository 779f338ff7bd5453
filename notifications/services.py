"""Sending and reading notifications.

`notify` is what other apps call, inside their own transaction: the in-app row is part of their change, and
the e-mail is queued only once that change commits, so a rolled-back change tells nobody anything.
"""

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from notifications.models import SUBJECT_MAX_LENGTH, Notification, is_local_path
from notifications.tasks import send_notification_email

logger = logging.getLogger(__name__)


class NotificationError(Exception):
    """A change to a notification the rules do not allow; the message says why."""


def notify(*, recipient: User, subject: str, message: str, url: str = "") -> Notification:
    """Tell `recipient` something: a row in their list now, an e-mail from the worker after commit.

    `url` is where the notification leads, a path on this site such as `reverse("portfolio:evidence_detail",
    args=[pk])`; anything else is a programming error.
    """
    if url and not is_local_path(url):
        raise ValueError(f"A notification leads to a path on this site, not {url!r}.")
    subject = " ".join(subject.split())  # one line: it becomes an e-mail subject
    # A long name or title shortens the subject, never refuses the change.
    if len(subject) > SUBJECT_MAX_LENGTH:
        subject = subject[: SUBJECT_MAX_LENGTH - 1] + "…"
    notification = Notification.objects.create(recipient=recipient, subject=subject, message=message, url=url)
    transaction.on_commit(partial(_queue_email, notification.pk))
    return notification


def _queue_email(notification_id: int) -> None:
    """Runs after commit: the change stands whatever happens here, so a failure is recorded, not raised."""
    try:
        send_notification_email.enqueue(notification_id)
    except Exception as error:
        logger.exception("Could not queue the e-mail of notification %s", notification_id)
        Notification.objects.filter(pk=notification_id).update(
            email_error=f"Not queued: {type(error).__name__}: {error}"
        )


def mark_read(*, user: User, notification: Notification) -> Notification:
    """Mark one of the person's own notifications read; reading it again keeps the first time."""
    if notification.recipient_id != user.pk:
        raise NotificationError("Only the person a notification was sent to can mark it read.")
    if notification.read_at is None:
        now = timezone.now()
        if Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=now):
            notification.read_at = now
        else:
            notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the person read; returns how many changed."""
    return Notification.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())
