"""Failed passwords, counted by django-axes per account and per address: at the sign-in form (axes' own backend
and middleware), at the password reset form, and where a password is typed again to sign a record.

After SIGNIN_FAILURE_LIMIT failures for an account or from an address, that account or address is refused for
SIGNIN_LOCKOUT_MINUTES, with a message that says so; `signin.handlers` writes the lockout to the audit trail.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest

from accounts.models import User


class PasswordLocked(Exception):
    """Too many wrong passwords for this account or from this address: the message says for how long."""


def client_address(request: HttpRequest) -> str:
    """The address a request came from: behind the proxy, the one nginx saw (it sets X-Real-IP itself, so a
    client cannot choose it); otherwise the connection's."""
    if settings.BEHIND_PROXY and request.META.get("HTTP_X_REAL_IP"):
        return str(request.META["HTTP_X_REAL_IP"]).strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def lockout_message() -> str:
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return (
        f"Too many wrong passwords for this account or from this address: try again in {minutes} minutes, "
        "or reset your password from the sign-in page."
    )


def reenter_password(request: HttpRequest, *, user: User, password: str) -> bool:
    """Whether `password` is the signed-in person's, counted like a sign-in; PasswordLocked once locked out."""
    if not AxesProxyHandler.is_allowed(request, {"username": user.email}):
        raise PasswordLocked(lockout_message())
    matched = authenticate(request, username=user.email, password=password)
    if getattr(request, "axes_locked_out", False):
        raise PasswordLocked(lockout_message())
    return matched is not None and matched.pk == user.pk


def count_reset_request(request: HttpRequest, *, email: str) -> None:
    """A password reset asked for counts as an attempt on that account from that address (so the form cannot be
    used to flood an inbox or to get round a lockout); PasswordLocked once locked out."""
    credentials = {"username": email}
    if not AxesProxyHandler.is_allowed(request, credentials):
        raise PasswordLocked(lockout_message())
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if getattr(request, "axes_locked_out", False):
        raise PasswordLocked(lockout_message())


def password_problem(request: HttpRequest, *, user: User, password: str, wrong: str) -> str:
    """For a view about to sign with a password typed again: "" if it is the person's; else `wrong`, or the
    lockout message once there have been too many."""
    try:
        return "" if reenter_password(request, user=user, password=password) else wrong
    except PasswordLocked as locked:
        return str(locked)
