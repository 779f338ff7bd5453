"""The second factor's pages: pass it after the password (a code or a passkey), set up an authenticator app or a
passkey, recovery codes, remove a passkey; and the password reset form, throttled like a sign-in."""

import base64

import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY, match_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.http import AuthenticatedRequest
from accounts.views import PasswordResetView
from centres.access import access_of
from signin import services
from signin.forms import AuthenticatorCodeForm, CodeForm
from signin.middleware import pass_second_factor, second_factor_not_required, second_factor_passed
from signin.passkeys import CODES_TO_SHOW, passkey_script_configuration
from signin.policy import second_factor_required
from signin.services import NewCodes, SecondFactorError
from signin.throttling import PasswordLocked, count_reset_request, lockout_message


def _next(request: HttpRequest) -> str:
    """Where to go once the second factor is passed: the page asked for, if it is on this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("assessments:home")


def _verified(request: AuthenticatedRequest) -> bool:
    return second_factor_passed(request)


@second_factor_not_required
@require_http_methods(["GET", "POST"])
def second_factor(request: AuthenticatedRequest) -> HttpResponse:
    """After the password: a code from the authenticator app, or a recovery code."""
    if _verified(request):
        return redirect(_next(request))
    if not services.has_second_factor(request.user):
        return redirect(f"{reverse('signin:set_up')}?next={_next(request)}")
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device = match_token(request.user, "".join(form.cleaned_data["code"].split()))
        if device is None:
            form.add_error(
                "code",
                "That code is not right, or was used already. Type the 6 digits the app shows now, or an unused "
                "recovery code. After several wrong codes, each try must wait a little longer.",
            )
        else:
            pass_second_factor(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {left} left. Make new ones under Your account if you "
                    "are running short.",
                )
            return redirect(_next(request))
    has_passkey = services.passkeys_of(request.user).exists()
    return render(
        request,
        "signin/second_factor.html",
        {
            "form": form,
            "next": _next(request),
            "has_passkey": has_passkey,
            "passkey_script": passkey_script_configuration(request) if has_passkey else None,
        },
        status=400 if form.errors else 200,
    )


def _qr_data_uri(device: TOTPDevice) -> str:
    """The key as a QR code, drawn here as an SVG in a data: URL (no image service ever sees the key)."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=5, dark="#000", light="#fff"))


def _spaced_key(device: TOTPDevice) -> str:
    key = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@second_factor_not_required
@require_http_methods(["GET", "POST"])
def set_up(request: AuthenticatedRequest) -> HttpResponse:
    """Set up an authenticator app: scan the code (or type the key), then type the first code it shows. Someone
    who already has one replaces it only after passing it in this session."""
    if services.has_second_factor(request.user) and not _verified(request):
        return redirect(f"{reverse('signin:second_factor')}?next={_next(request)}")
    device = services.authenticator_to_confirm(user=request.user)
    form = AuthenticatorCodeForm(request.POST or None)
    if form.is_valid():
        try:
            codes = services.confirm_authenticator(
                user=request.user, device=device, token=form.cleaned_data["code"]
            )
        except SecondFactorError as error:
            form.add_error("code", str(error))
        else:
            pass_second_factor(request, device)
            return _show_codes(request, codes, first="authenticator")
    return render(
        request,
        "signin/set_up.html",
        {
            "form": form,
            "qr": _qr_data_uri(device),
            "key": _spaced_key(device),
            "next": _next(request),
            "required": second_factor_required(access_of(request)),
            "passkey_script": passkey_script_configuration(request),
        },
        status=400 if form.errors else 200,
    )


def _show_codes(
    request: AuthenticatedRequest, codes: NewCodes, *, first: str = "", next_url: str = ""
) -> HttpResponse:
    """Recovery codes, shown once; `first` names what was just set up with them ("authenticator", "passkey")."""
    return render(
        request,
        "signin/recovery_codes.html",
        {"codes": codes.codes, "first": first, "next": next_url or _next(request)},
    )


@require_http_methods(["GET", "POST"])
def recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    """POST: a new set of recovery codes, shown once; the earlier set stops working. GET: the first set, made
    with a first passkey (`signin.passkeys`), shown once; otherwise back to the account page."""
    if request.method == "GET":
        made = request.session.pop(CODES_TO_SHOW, None)
        if not made:
            return redirect("signin:account")
        return _show_codes(request, NewCodes(made), first="passkey", next_url=reverse("signin:account"))
    if not services.has_second_factor(request.user):
        messages.error(
            request, "Set up an authenticator app or a passkey first: recovery codes go with them."
        )
        return redirect("signin:account")
    return _show_codes(request, services.new_recovery_codes(user=request.user))


def account(request: AuthenticatedRequest) -> HttpResponse:
    """The person's own sign-in settings: password, authenticator app, passkeys, recovery codes."""
    static = StaticDevice.objects.filter(user=request.user).first()
    return render(
        request,
        "signin/account.html",
        {
            "has_authenticator": services.has_authenticator(request.user),
            "passkeys": list(services.passkeys_of(request.user)),
            "codes_left": static.token_set.count() if static else 0,
            "required": second_factor_required(access_of(request)),
            "passkey_script": passkey_script_configuration(request),
        },
    )


@require_POST
def remove_passkey(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Remove one of the person's passkeys (never the last second factor of someone whose role needs one). A
    session that passed the second step with it has passed with nothing now: it is asked again, and says why."""
    try:
        passkey = services.remove_passkey(
            user=request.user, passkey_id=pk, required=second_factor_required(access_of(request))
        )
    except SecondFactorError as error:
        messages.error(request, str(error))
    else:
        removed = f"{passkey.name} is removed: it no longer signs you in."
        if request.session.get(DEVICE_ID_SESSION_KEY) == passkey.persistent_id:
            removed += (
                " You used it for the second step of this sign-in: give a code or another passkey to go on."
            )
        messages.success(request, removed)
    return redirect("signin:account")


class ThrottledPasswordResetView(PasswordResetView):
    """The password reset form (its e-mail says how long the link works); each request counts as an attempt on
    the account from that address."""

    def form_valid(self, form: object) -> HttpResponse:
        try:
            count_reset_request(self.request, email=form.cleaned_data["email"])  # type: ignore[attr-defined]
        except PasswordLocked as locked:
            return render(self.request, "signin/locked_out.html", {"message": str(locked)}, status=429)
        return super().form_valid(form)


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: object
) -> HttpResponse:
    """django-axes' answer to a sign-in while the account or address is locked out (AXES_LOCKOUT_CALLABLE)."""
    return render(request, "signin/locked_out.html", {"message": lockout_message()}, status=429)
