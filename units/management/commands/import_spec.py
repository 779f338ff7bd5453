from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from units.services import ImportRefused, import_specification_files


class Command(BaseCommand):
    help = "Import specification files (portfolio-spec/1, YAML or JSON): all of them or, on any error, none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")

    def handle(self, *args: Any, paths: list[Path], **options: Any) -> None:
        try:
            outcomes = import_specification_files(paths=paths)
        except ImportRefused as refused:
            for line in refused.lines:
                self.stderr.write(line)
            raise CommandError(f"nothing imported: {len(refused.lines)} problem(s)") from None
        for outcome in outcomes:
            spec = outcome.specification
            name = f'{spec.code} version "{spec.version}" ({spec.title})'
            if outcome.created:
                self.stdout.write(self.style.SUCCESS(f"{outcome.source}: imported {name}"))
            else:
                self.stdout.write(f"{outcome.source}: unchanged, {name} is already in the catalogue")
