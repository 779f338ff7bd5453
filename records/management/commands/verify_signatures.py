from typing import Any

from django.core.management.base import BaseCommand, CommandError

from assessments.models import SignOff
from audit.services import verify_chain
from records.verification.signatures import verify_signatures


class Command(BaseCommand):
    help = (
        "Recompute every sign-off digest (and check the audit chain); report any mismatch and exit non-zero."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = verify_signatures() + [f"audit trail: {problem}" for problem in verify_chain()]
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} problem(s) found")
        self.stdout.write(
            self.style.SUCCESS(f"{SignOff.objects.count()} signature(s) verified; audit trail intact")
        )
