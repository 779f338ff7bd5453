"""Setting up and using a second factor: an authenticator app (TOTP, django-otp), passkeys (WebAuthn,
django-otp-webauthn) and one-time recovery codes.

Each change is written to the audit trail. The secret key of an authenticator is shown once, while it is set up;
recovery codes are shown once when made, and each works once. An authenticator app and a passkey count alike as
a second factor; recovery codes stand in for either and go with them.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import User
from audit.services import record

AUTHENTICATOR = "Authenticator app"
RECOVERY = "Recovery codes"


class SecondFactorError(Exception):
    """A code that is wrong, used, or too late; the message says what to do."""


@dataclass(frozen=True)
class NewCodes:
    codes: list[str]


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def passkeys_of(user: User) -> QuerySet[WebAuthnCredential]:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def has_second_factor(user: User) -> bool:
    """An authenticator app or a passkey (recovery codes alone are not one: they stand in for either)."""
    return has_authenticator(user) or passkeys_of(user).exists()


def authenticator_to_confirm(*, user: User) -> TOTPDevice:
    """The authenticator being set up: one unconfirmed device per person, kept until a code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def confirm_authenticator(*, user: User, device: TOTPDevice, token: str) -> NewCodes:
    """The first code from the app confirms it; the person's earlier authenticator (if any) is replaced and a new
    set of recovery codes made."""
    if device.user_id != user.pk or device.confirmed:
        raise SecondFactorError(
            "Start setting up the authenticator again: this one is not waiting for a code."
        )
    if not device.verify_token(_digits(token)):
        raise SecondFactorError(
            "That code is not right. Type the 6 digits your authenticator app shows now (they change every 30 "
            "seconds), and check the phone's clock is set automatically."
        )
    with transaction.atomic():
        replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()[0]
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        record(
            actor=user,
            action="signin.second_factor_set_up",
            summary=f"{user.full_name} set up an authenticator app"
            + (" in place of the earlier one" if replaced else ""),
            subject=user,
            after={"device": device.persistent_id, "recovery_codes": len(codes.codes)},
        )
    return codes


def new_recovery_codes(*, user: User) -> NewCodes:
    """A new set of recovery codes; the earlier set stops working."""
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        record(
            actor=user,
            action="signin.recovery_codes_made",
            summary=f"{user.full_name} made a new set of recovery codes; the earlier ones no longer work",
            subject=user,
            after={"recovery_codes": len(codes.codes)},
        )
    return codes


def _new_recovery_codes(user: User) -> NewCodes:
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": RECOVERY})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.SIGNIN_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return NewCodes(codes)


def passkey_added(*, user: User, passkey: WebAuthnCredential) -> NewCodes | None:
    """A passkey the person has just registered (django-otp-webauthn saved it, in the caller's transaction): named
    by its date, audited, and, for someone who had no unused recovery codes, given a first set (returned, to be
    shown once)."""
    with transaction.atomic():
        passkey.name = f"Passkey added {date_format(timezone.localdate(), 'j F Y')}"
        passkey.save(update_fields=["name"])
        had_codes = StaticToken.objects.filter(device__user=user).exists()
        codes = None if had_codes else _new_recovery_codes(user)
        record(
            actor=user,
            action="signin.passkey_added",
            summary=f"{user.full_name} added a passkey" + ("" if had_codes else " and made recovery codes"),
            subject=user,
            after={"device": passkey.persistent_id, "recovery_codes": len(codes.codes) if codes else 0},
        )
    return codes


@dataclass(frozen=True)
class RemovedPasskey:
    name: str
    persistent_id: str  # as django-otp names the device in a session that passed with it


def remove_passkey(*, user: User, passkey_id: int, required: bool) -> RemovedPasskey:
    """The person removes one of their passkeys. Someone whose role needs a second factor (`required`) keeps at
    least one: an authenticator app or another passkey. With the last second factor go the recovery codes."""
    with transaction.atomic():
        passkey = WebAuthnCredential.objects.select_for_update().filter(user=user, pk=passkey_id).first()
        if passkey is None:
            raise SecondFactorError("That passkey is not one of yours, or it was removed already.")
        others = has_authenticator(user) or passkeys_of(user).exclude(pk=passkey.pk).exists()
        if required and not others:
            raise SecondFactorError(
                "Your role needs a second step of signing in: set up an authenticator app or add another passkey "
                "before removing this one."
            )
        device = passkey.persistent_id
        passkey.delete()
        codes_removed = 0 if others else StaticDevice.objects.filter(user=user).delete()[0]
        record(
            actor=user,
            action="signin.passkey_removed",
            summary=f"{user.full_name} removed a passkey ({passkey.name})"
            + (" and, with their last second factor, their recovery codes" if codes_removed else ""),
            subject=user,
            before={"device": device, "recovery_codes_removed": bool(codes_removed)},
        )
    return RemovedPasskey(name=passkey.name, persistent_id=device)


def remove_second_factor(*, user: User, by: User | None, reason: str) -> int:
    """Remove a person's authenticator, passkeys and recovery codes (they lost their phone and codes): at their
    next sign-in they set up a new one. Returns how many devices were removed."""
    with transaction.atomic():
        removed = sum(
            model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
            for model in (TOTPDevice, WebAuthnCredential, StaticDevice)
        )
        record(
            actor=by,
            action="signin.second_factor_removed",
            summary=f"Second factor of {user.full_name} removed: {reason}",
            subject=user,
            before={"devices": removed},
        )
    return removed


def _digits(token: str) -> str:
    return "".join(token.split())
