from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.data import DEMO_ACCOUNTS, current_code


class Command(BaseCommand):
    help = "Print a demo account's current second-factor code (or its key, for an authenticator app); development only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="a demo account's e-mail address, e.g. assessor@demo.example")
        parser.add_argument("--key", action="store_true", help="print the key to add to an authenticator app")

    def handle(self, *args: Any, email: str, key: bool, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_code is for the demo only: run it with DEBUG=true")
        demo = {account.email for account in DEMO_ACCOUNTS}
        if email not in demo:
            raise CommandError(f"{email} is not a demo account: give one of {', '.join(sorted(demo))}")
        device = TOTPDevice.objects.filter(user__email=email, confirmed=True).first()
        if device is None:
            raise CommandError(f"{email} has no authenticator: run manage.py demo_setup first")
        if key:
            self.stdout.write(device.config_url)
        else:
            self.stdout.write(current_code(device))
