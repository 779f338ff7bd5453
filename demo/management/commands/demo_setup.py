from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.data import DEMO_ACCOUNTS, load_demo
from units.services import ImportRefused


class Command(BaseCommand):
    help = "Load the seed specifications and a demo centre with its people (development only); print the sign-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default="portfolio-demo", help="password for every demo account")
        parser.add_argument("--force", action="store_true", help="allow it with DEBUG off")

    def handle(self, *args: Any, password: str, force: bool, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "demo accounts have a known password: run with DEBUG=true, or --force to insist"
            )
        try:
            outcomes = load_demo(password=password)
        except ImportRefused as refused:
            raise CommandError("\n".join(refused.lines)) from None
        for outcome in outcomes:
            spec = outcome.specification
            state = "loaded" if outcome.created else "already loaded"
            self.stdout.write(f"Specification {spec.code} v{spec.version} {state}: {spec.title}")
        self.stdout.write(self.style.SUCCESS(f"\nDemo centre sign-ins (password for all: {password}):"))
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.role:<25} {account.email:<24} {account.full_name}")
        self.stdout.write(
            "Everyone but the learner then gives a code from an authenticator app (their role needs a second "
            "factor). For the demo, print the current code with\n"
            "  .venv/bin/python manage.py demo_code assessor@demo.example\n"
            "or add the account's key (printed by demo_code --key) to an authenticator app."
        )
