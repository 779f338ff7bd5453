from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from records.verification.exports import verify_export
from signing.keys import KeySet, SigningError


class Command(BaseCommand):
    help = (
        "Check portfolio export ZIPs offline: the centre's signature of the manifest (against the published key "
        "set), every file's size and SHA-256, every signature's digest and the evidence it covers. Exits "
        "non-zero if anything fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="+", type=Path, metavar="FILE.zip", help="a learner's or cohort's export"
        )
        parser.add_argument(
            "--keys",
            required=True,
            type=Path,
            metavar="KEYS.json",
            help="the published key set (/.well-known/portfolio-keys.json), saved from a source you trust",
        )

    def handle(self, *args: Any, files: list[Path], keys: Path, **options: Any) -> None:
        try:
            key_set = KeySet.from_file(keys)
        except SigningError as error:
            raise CommandError(f"--keys: {error}") from None
        failed = []
        for path in files:
            if not path.is_file():
                self.stderr.write(self.style.ERROR(f"{path}: no such file"))
                failed.append(str(path))
                continue
            report = verify_export(path, keys=key_set)
            self.stdout.write(f"{path}: {report.summary}")
            if report.ok:
                self.stdout.write(self.style.SUCCESS("  OK"))
                continue
            failed.append(str(path))
            for problem in report.problems:
                self.stdout.write(self.style.ERROR(f"  {problem}"))
        if failed:
            raise CommandError(f"{len(failed)} of {len(files)} failed verification: {', '.join(failed)}")
