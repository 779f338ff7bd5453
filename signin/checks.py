"""`manage.py check --deploy`: passkeys belong to the site's domain, taken from SITE_URL. A production site whose
SITE_URL is not its https:// address would bind them to `localhost`, where no one can use them (and e-mails
would link there too)."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url_is_https(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.SITE_URL.startswith("https://"):
        return []
    return [
        Warning(
            f"SITE_URL is {settings.SITE_URL!r}, not the site's https:// address: passkeys would belong to "
            f"{settings.OTP_WEBAUTHN_RP_ID!r} and links in e-mails would point there.",
            hint="Set SITE_URL to the address people reach the site at, e.g. https://portfolio.example.org.",
            id="signin.W001",
        )
    ]
