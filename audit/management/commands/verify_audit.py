from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.checkpoints import CheckpointError, read_directory, stored_checkpoints, verify_against
from audit.models import AuditEntry, chain_id
from audit.services import chain_head, chains, verify_one_chain
from signing.keys import KeySet, SigningError, keyset


class Command(BaseCommand):
    help = (
        "Check every audit chain (one per centre, and the site's): every entry present, in order, and unchanged "
        "since it was written, and each chain's entries as its signed checkpoints (the database's, and with "
        "--checkpoints DIR those kept elsewhere) say they were. Prints each chain's head; exits non-zero on any "
        "problem, one line each."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoints",
            type=Path,
            metavar="DIR",
            help="a directory of checkpoint files kept away from the database (checkpoint_audit writes them)",
        )
        parser.add_argument(
            "--keys",
            type=Path,
            metavar="KEYS.json",
            help="the published key set to verify checkpoints with (default: SIGNING_KEYSET)",
        )

    def handle(self, *args: Any, checkpoints: Path | None, keys: Path | None, **options: Any) -> None:
        centres = chains()
        # Heads are taken first: entries written while checking are not counted.
        heads = {centre_id: chain_head(centre_id) for centre_id in centres}
        problems = [problem for centre_id in centres for problem in verify_one_chain(centre_id)]
        try:
            signed = stored_checkpoints()
            stored = len(signed)
            if checkpoints is not None:
                from_files, unreadable = read_directory(checkpoints)
                if not from_files and not unreadable:
                    unreadable = [f"{checkpoints}: no checkpoint files (*.json) in it"]
                signed, problems = signed + from_files, problems + unreadable
            if signed:
                problems += verify_against(signed, KeySet.from_file(keys) if keys else keyset())
        except (CheckpointError, SigningError) as error:
            raise CommandError(str(error)) from None
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"audit trail broken: {len(problems)} problem(s)")
        kept = f" and {len(signed) - stored} from {checkpoints}" if checkpoints is not None else ""
        self._report(heads, f"; signed checkpoints agree: {stored} in the database{kept}" if signed else "")

    def _report(self, heads: dict[int | None, AuditEntry | None], checked: str) -> None:
        entries = sum(head.sequence for head in heads.values() if head is not None)
        chain_count = f"{len(heads)} chain" + ("" if len(heads) == 1 else "s")
        self.stdout.write(
            self.style.SUCCESS(f"audit trail intact: {entries} entries in {chain_count}{checked}")
        )
        for centre_id, head in heads.items():
            if head is not None:
                self.stdout.write(
                    f"chain {chain_id(centre_id)}: head entry {head.sequence} at {head.at.isoformat()} "
                    f"sha256 {head.entry_hash}"
                )
