"""The audit trail records every lockout: which account or address, after how many failures, and for how long."""

from typing import Any

from axes.signals import user_locked_out
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.models import User
from audit.services import record
from signin.throttling import lockout_message


@receiver(user_locked_out)
def record_lockout(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str, **kwargs: Any
) -> None:
    person = User.objects.filter(email__iexact=username).first() if username else None
    failures = getattr(request, "axes_failures_since_start", None)
    with transaction.atomic():
        record(
            actor=None,
            action="signin.locked_out",
            summary=f"Sign-in locked for {username or 'an unknown account'} from {ip_address} after {failures} "
            f"failed attempts ({request.path}). {lockout_message()}",
            subject=person if person is not None else ("signin.address", ip_address),
            after={"username": username, "address": ip_address, "failures": failures, "path": request.path},
        )
