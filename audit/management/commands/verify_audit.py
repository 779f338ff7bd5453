from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.models import chain_id
from audit.services import chain_head, chains, verify_one_chain


class Command(BaseCommand):
    help = (
        "Check every audit chain (one per centre, and the site's): every entry present, in order, and unchanged "
        "since it was written. Prints each chain's head (newest entry and its hash); exits non-zero on any problem."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        centres = chains()
        heads = {
            centre_id: chain_head(centre_id) for centre_id in centres
        }  # taken first: later entries not counted
        problems = [problem for centre_id in centres for problem in verify_one_chain(centre_id)]
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"audit trail broken: {len(problems)} problem(s)")
        entries = sum(head.sequence for head in heads.values() if head is not None)
        chain_count = f"{len(heads)} chain" + ("" if len(heads) == 1 else "s")
        self.stdout.write(self.style.SUCCESS(f"audit trail intact: {entries} entries in {chain_count}"))
        for centre_id, head in heads.items():
            if head is not None:
                self.stdout.write(
                    f"chain {chain_id(centre_id)}: head entry {head.sequence} at {head.at.isoformat()} "
                    f"sha256 {head.entry_hash}"
                )
