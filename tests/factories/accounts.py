"""People."""

from typing import Any

import factory
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import User

DEFAULT_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save_password(obj, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    """A confirmed authenticator app (django-otp's model: the tests need one for every model they touch)."""

    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True


class StaticDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaticDevice

    user = factory.SubFactory(UserFactory)
    name = "Recovery codes"


class StaticTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaticToken

    device = factory.SubFactory(StaticDeviceFactory)
    token = factory.Sequence(lambda n: f"code{n:04d}")


class PasskeyFactory(factory.django.DjangoModelFactory):
    """A registered passkey as django-otp-webauthn stores it. Its key is made up: it passes no real ceremony (the
    browser tests register real ones with Chromium's virtual authenticator)."""

    class Meta:
        model = WebAuthnCredential

    user = factory.SubFactory(UserFactory)
    name = "Passkey added 1 September 2026"
    confirmed = True
    credential_id = factory.Sequence(lambda n: f"credential-{n}".encode())
    public_key = b"not a real COSE key"
    aaguid = "00000000-0000-0000-0000-000000000000"


def authenticator_for(user: User) -> TOTPDevice:
    """The person's confirmed authenticator, made if they have none."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDeviceFactory(user=user)


def code_now(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or `steps_ahead` 30-second steps later), as a person types it."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def recovery_code_for(user: User) -> str:
    """A fresh, unused recovery code of the person (each works once)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "Recovery codes"})
    return StaticToken.objects.create(device=device, token=StaticToken.random_token()).token
