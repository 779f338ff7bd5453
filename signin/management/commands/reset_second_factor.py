from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from signin.services import remove_second_factor


class Command(BaseCommand):
    help = (
        "Remove a person's authenticator and recovery codes (they lost both), audited; they set up a new one at "
        "their next sign-in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the person's e-mail address")
        parser.add_argument(
            "--reason", required=True, help="why, for the audit trail (e.g. who asked, how checked)"
        )

    def handle(self, *args: Any, email: str, reason: str, **options: Any) -> None:
        person = User.objects.filter(email__iexact=email).first()
        if person is None:
            raise CommandError(f"No one signs in as {email}.")
        if not reason.strip():
            raise CommandError("Give the reason, for the audit trail.")
        removed = remove_second_factor(user=person, by=None, reason=reason.strip())
        self.stdout.write(
            f"Removed {removed} second-factor record(s) of {person.full_name} ({person.email})."
        )
