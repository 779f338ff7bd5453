from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.checkpoints import checkpoint_dir, make_checkpoint
from audit.models import chain_id
from audit.services import chains
from signing.keys import SigningError


class Command(BaseCommand):
    help = (
        "Sign the head of every audit chain with its centre's key (the site's key for the site's chain), keep the "
        "checkpoint in the database and write it as a file to CHECKPOINT_DIR (or --out), to be kept elsewhere. "
        "Run it on a timer (README, Production)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out", type=Path, help="directory for the checkpoint files (default CHECKPOINT_DIR)"
        )

    def handle(self, *args: Any, out: Path | None, **options: Any) -> None:
        directory = out or checkpoint_dir()
        problems, made, kept = [], 0, 0
        for centre_id in chains():
            try:
                result = make_checkpoint(centre_id=centre_id, out=directory)
            except (SigningError, OSError) as error:
                problems.append(f"chain {chain_id(centre_id)}: no checkpoint made: {error}")
                continue
            if result is None:
                continue
            made, kept = made + result.new, kept + (not result.new)
            state = "signed" if result.new else "unchanged since"
            self.stdout.write(
                f"chain {result.checkpoint.chain}: {state} checkpoint of entry {result.checkpoint.sequence} "
                f"({result.path.name})"
            )
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} chain(s) not checkpointed")
        self.stdout.write(
            self.style.SUCCESS(f"{made} checkpoint(s) made, {kept} chain(s) unchanged; files in {directory}")
        )
