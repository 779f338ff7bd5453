"""Background work: e-mailing a notification, run by `manage.py db_worker` (at once: TASKS_BACKEND=immediate).

Only the notification's id travels through the queue; the row is read when the task runs.
"""

from django.conf import settings
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.mail import send_text_mail
from notifications.models import Notification


def absolute_url(path: str) -> str:
    """A link that works from an e-mail: SITE_URL (no trailing slash) followed by a path on this site."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


@task
def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification to its recipient; True if sent now, False if there was nothing to send.

    Running it again does not send again (`emailed_at` is set). A failure is recorded in `email_error` and
    raised, so the worker logs it and marks the task failed.
    """
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None:
        return False
    recipient = notification.recipient
    if not recipient.is_active:
        Notification.objects.filter(pk=notification.pk).update(
            email_error="Not sent: the account is deactivated."
        )
        return False
    context = {
        "notification": notification,
        "recipient": recipient,
        "link": absolute_url(notification.url) if notification.url else "",
        "notifications_link": absolute_url(reverse("notifications:list")),
    }
    subject = " ".join(render_to_string("notifications/email/notification_subject.txt", context).split())
    body = render_to_string("notifications/email/notification.txt", context)
    try:
        send_text_mail(subject, body, [recipient.email])
    except Exception as error:
        Notification.objects.filter(pk=notification.pk).update(email_error=f"{type(error).__name__}: {error}")
        raise
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now(), email_error="")
    return True
