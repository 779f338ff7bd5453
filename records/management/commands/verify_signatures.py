from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.services import verify_chain
from records.verification.signatures import verify_signed_records


class Command(BaseCommand):
    help = (
        "Verify every signature, void and IV sample decision: its centre key's signature with the published key "
        "set (SIGNING_KEYSET), its digest, the audit trail's entry for it, and what a signature in force covers "
        "now (and check the audit chain). One line per problem; exits non-zero on any."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        verified = verify_signed_records()
        problems = verified.problems + [f"audit trail: {problem}" for problem in verify_chain()]
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} problem(s) found")
        self.stdout.write(
            self.style.SUCCESS(
                f"{verified.signatures} signature(s), {verified.voids} void(s) and {verified.decisions} IV "
                "decision(s) verified with the key set and the audit trail; audit trail intact"
            )
        )
