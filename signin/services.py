"""Setting up and using a second factor: an authenticator app (TOTP, django-otp) and one-time recovery codes.

Each change is written to the audit trail. The secret key of an authenticator is shown once, while it is set up;
recovery codes are shown once when made, and each works once.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.services import record

AUTHENTICATOR = "Authenticator app"
RECOVERY = "Recovery codes"


class SecondFactorError(Exception):
    """A code that is wrong, used, or too late; the message says what to do."""


@dataclass(frozen=True)
class NewCodes:
    codes: list[str]


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


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


def remove_second_factor(*, user: User, by: User | None, reason: str) -> int:
    """Remove a person's authenticator and recovery codes (they lost their phone): at their next sign-in they set
    up a new one. Returns how many devices were removed."""
    with transaction.atomic():
        removed = (
            TOTPDevice.objects.filter(user=user).delete()[0]
            + StaticDevice.objects.filter(user=user).delete()[0]
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
