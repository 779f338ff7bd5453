"""The invitation e-mail: a link to choose a password for someone new, a note of new roles for someone known."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import get_text_list

from accounts.mail import send_text_mail
from accounts.models import User
from centres.models import Centre, Membership
from centres.services import CentreError

Role = Membership.Role


@dataclass(frozen=True)
class LinkBase:
    """Where links in e-mail point: the current request's site, or a base URL given by a command."""

    request: HttpRequest | None = None
    base_url: str | None = None

    def __post_init__(self) -> None:
        if self.request is None and not self.base_url:
            raise ValueError(
                "Links in e-mail need the request or a base URL (e.g. https://portfolio.example.org)."
            )

    def absolute(self, path: str) -> str:
        if self.request is not None:
            return self.request.build_absolute_uri(path)
        return f"{(self.base_url or '').rstrip('/')}{path}"


def role_phrase(roles: Iterable[str]) -> str:
    """The roles in words, in the order of `Membership.Role`: "learner, assessor and internal verifier"."""
    chosen = set(roles)
    ordered = [str(label).lower() for value, label in Role.choices if value in chosen]
    return str(get_text_list(ordered, "and"))


def send_invitation(
    *, user: User, centre: Centre, roles: set[str], invited_by: User, new_person: bool, link_base: LinkBase
) -> None:
    """The set-password link goes to Django's password-reset-confirm view: the person chooses their own password."""
    context = {
        "user": user,
        "centre": centre,
        "roles": role_phrase(roles),
        "invited_by": invited_by,
        "new_person": new_person,
        "set_password_url": None,
        "sign_in_url": link_base.absolute(reverse("login")),
        "link_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    if not user.has_usable_password():
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        context["set_password_url"] = link_base.absolute(path)
    subject = "".join(render_to_string("centres/email/invitation_subject.txt", context).splitlines())
    body = render_to_string("centres/email/invitation.txt", context)
    try:
        send_text_mail(subject, body, [user.email])
    except OSError as error:  # smtplib.SMTPException is an OSError
        raise CentreError(
            f"The e-mail to {user.email} could not be sent ({error}); nothing was saved. Try again, or ask "
            "whoever runs the site to check its e-mail settings."
        ) from error
