from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from records.verification.records import verify_record
from signing.keys import KeySet, SigningError


class Command(BaseCommand):
    help = (
        "Check completion record PDFs offline: each must carry the centre's signature over the whole file, made "
        "with a certificate the published key set holds for a key in force then. Exits non-zero if any fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE.pdf", help="a completion record")
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
            try:
                data = path.read_bytes()
            except OSError as error:
                self.stderr.write(self.style.ERROR(f"{path}: cannot be read ({error.strerror})"))
                failed.append(str(path))
                continue
            report = verify_record(data, keys=key_set)
            if report.ok:
                self.stdout.write(self.style.SUCCESS(f"{path}: OK, {report.signed_by}"))
                continue
            failed.append(str(path))
            for problem in report.problems:
                self.stdout.write(self.style.ERROR(f"{path}: {problem}"))
        if failed:
            raise CommandError(f"{len(failed)} of {len(files)} failed verification: {', '.join(failed)}")
