from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from records.verification.exports import verify_export


class Command(BaseCommand):
    help = (
        "Check portfolio export ZIPs offline: the manifest, every file's size and SHA-256, every signature's "
        "digest and the evidence it covers. Exits non-zero if anything fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="+", type=Path, metavar="FILE.zip", help="a learner's or cohort's export"
        )

    def handle(self, *args: Any, files: list[Path], **options: Any) -> None:
        failed = []
        for path in files:
            if not path.is_file():
                self.stderr.write(self.style.ERROR(f"{path}: no such file"))
                failed.append(str(path))
                continue
            report = verify_export(path)
            self.stdout.write(f"{path}: {report.summary}")
            if report.ok:
                self.stdout.write(self.style.SUCCESS("  OK"))
                continue
            failed.append(str(path))
            for problem in report.problems:
                self.stdout.write(self.style.ERROR(f"  {problem}"))
        if failed:
            raise CommandError(f"{len(failed)} of {len(files)} failed verification: {', '.join(failed)}")
