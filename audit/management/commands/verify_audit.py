from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.services import chain_head, verify_chain


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chain: every entry present, in order, and unchanged since it was written. "
        "Prints the head (newest entry and its hash) to keep elsewhere; exits non-zero on any problem."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        head = chain_head()  # taken first: entries written while checking are not counted
        problems = verify_chain()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"audit trail broken: {len(problems)} problem(s)")
        if head is None:
            self.stdout.write(self.style.SUCCESS("audit trail intact: 0 entries"))
            return
        self.stdout.write(self.style.SUCCESS(f"audit trail intact: {head.sequence} entries"))
        self.stdout.write(f"head: entry {head.sequence} at {head.at.isoformat()} sha256 {head.entry_hash}")
