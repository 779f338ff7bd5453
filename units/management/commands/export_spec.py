from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from units import spec_format
from units.selectors import find_specification, specification_document


class Command(BaseCommand):
    help = (
        "Write a specification in the portfolio-spec/1 format (YAML by default) to standard output or a file."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # --version names the specification's version here, not Django's release.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="the specification's code or one of its aliases")
        parser.add_argument(
            "--version", dest="spec_version", help="the version (default: the latest imported)"
        )
        parser.add_argument("--format", choices=["yaml", "json"], default="yaml")
        parser.add_argument("--output", type=Path, help="write to this file instead of standard output")

    def handle(
        self,
        *args: Any,
        code: str,
        spec_version: str | None,
        format: str,
        output: Path | None,
        **options: Any,
    ) -> None:
        specification = find_specification(code=code, version=spec_version)
        if specification is None:
            which = f' version "{spec_version}"' if spec_version else ""
            raise CommandError(f"no specification {code}{which} in the catalogue")
        text = spec_format.dump(specification_document(specification), fmt=format)
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(f"wrote {specification.code} version {specification.version} to {output}")
