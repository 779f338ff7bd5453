"""What every page's layout needs from the settings."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """`source_code_url` for the footer: the AGPL asks a site to offer its users the source of what it runs."""
    return {"source_code_url": settings.SOURCE_CODE_URL}
