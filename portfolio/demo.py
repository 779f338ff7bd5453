"""Demo data for a first run: the seed specifications and sign-ins to try the app with."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from accounts.models import User
from units.services import ImportOutcome, import_specification_files

SEED_SPECIFICATIONS = sorted((settings.BASE_DIR / "fixtures" / "specs").glob("*.yaml"))


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    full_name: str


DEMO_ACCOUNTS = (DemoAccount("centre administrator", "admin@demo.example", "Dana Admin"),)


def load_demo(*, password: str, specification_paths: list[Path] = SEED_SPECIFICATIONS) -> list[ImportOutcome]:
    """Import the seed specifications and (re)set the demo accounts' password; safe to run again."""
    with transaction.atomic():
        outcomes = import_specification_files(paths=specification_paths)
        for account in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(
                email=account.email,
                defaults={"full_name": account.full_name, "is_staff": True, "is_superuser": True},
            )
            user.set_password(password)
            user.save(update_fields=["password"])
    return outcomes
