"""Passkeys (WebAuthn) as a second factor: django-otp-webauthn's JSON views and script, held to this project's
rules. A passkey never signs anyone in without their password (passwordless sign-in is off); after the password
it passes the second step like a code (`pass_second_factor`). Adding one needs the second step passed first when
the person already has a second factor; each addition is audited (`services.passkey_added`).

The library checks "passed" through `user.is_verified()`, which django-otp's own middleware slips onto the user;
here that answer is read from the session once per request (`signin.middleware`), so the two places it asks are
answered from there instead.
"""

import logging
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.middleware import csrf
from django.urls import reverse
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as webauthn
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.utils import rewrite_exceptions

from accounts.models import User
from signin import services
from signin.middleware import pass_second_factor, second_factor_not_required, second_factor_passed

# Session key: recovery codes made with a first passkey, shown once by `views.recovery_codes`.
CODES_TO_SHOW = "signin.codes_to_show"
NOT_PASSED = "Pass the second step of signing in first (a code or a passkey you already have), then add another passkey."
_log = logging.getLogger("django_otp_webauthn")


def passkey_script_configuration(request: HttpRequest) -> dict[str, Any]:
    """What the library's script reads from the page (`json_script` "otp_webauthn_config"): this site's views."""
    return {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": csrf.get_token(request),
        "beginAuthenticationUrl": reverse("signin:passkey_authentication_begin"),
        "completeAuthenticationUrl": reverse("signin:passkey_authentication_complete"),
        "beginRegistrationUrl": reverse("signin:passkey_registration_begin"),
        "completeRegistrationUrl": reverse("signin:passkey_registration_complete"),
    }


class _PassedHere:
    """The library's registration check, answered from this session: someone with a second factor adds a passkey
    only after passing it."""

    request: HttpRequest

    def _check_user_verified(self, user: User) -> None:
        if services.has_second_factor(user) and not second_factor_passed(self.request):
            raise exceptions.NotVerified(detail=NOT_PASSED)


class BeginRegistration(_PassedHere, webauthn.BeginCredentialRegistrationView):
    pass


class CompleteRegistration(_PassedHere, webauthn.CompleteCredentialRegistrationView):
    """The library's checks and storage, then this project's: named, audited, the session passes (someone with no
    second factor before has one now), first recovery codes kept to be shown once; the answer says where to go."""

    def post(self, *args: Any, **kwargs: Any) -> JsonResponse:
        user = self.get_user()
        state = self.get_state()
        data = self.request.data  # type: ignore[attr-defined]  # the JSON body, parsed by the library's dispatch
        with transaction.atomic(), rewrite_exceptions(logger=_log):
            passkey = self.get_helper().register_complete(user=user, state=state, data=data)
            codes = services.passkey_added(user=user, passkey=passkey)
        if not second_factor_passed(self.request):
            pass_second_factor(self.request, passkey)
        if codes is not None:
            self.request.session[CODES_TO_SHOW] = codes.codes
            return JsonResponse({"id": passkey.pk, "redirect_url": reverse("signin:recovery_codes")})
        messages.success(self.request, "Your passkey is added: use it at the second step of signing in.")
        return JsonResponse({"id": passkey.pk, "redirect_url": reverse("signin:account")})


class BeginAuthentication(webauthn.BeginCredentialAuthenticationView):
    pass


class CompleteAuthentication(webauthn.CompleteCredentialAuthenticationView):
    """A passkey of the signed-in person passes the second step (the library has checked it is theirs)."""

    def complete_auth(self, device: WebAuthnCredential) -> None:
        pass_second_factor(self.request, device)


registration_begin = second_factor_not_required(BeginRegistration.as_view())
registration_complete = second_factor_not_required(CompleteRegistration.as_view())
authentication_begin = second_factor_not_required(BeginAuthentication.as_view())
authentication_complete = second_factor_not_required(CompleteAuthentication.as_view())
# The library's script calls gettext(): Django's catalog of its messages.
script_catalog = second_factor_not_required(JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]))
