"""django-otp's own admin pages would let the operator read or add anyone's authenticator unaudited: they are
removed (django-otp-webauthn registers none for passkeys, and none is added); `manage.py reset_second_factor`
removes a lost second factor, audited."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
