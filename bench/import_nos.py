"""Benchmark: import the seed NOS (SCDLMCB2, 152 criteria) into a fresh database. Goal: under one second.

Run: .venv/bin/python bench/import_nos.py [--repeat N]
Uses a throw-away SQLite file unless DATABASE_URL is set (then that database's tables are used and the
benchmark's specification is removed again). Prints the median of N runs and, measured in the same run, the
ratio of a full import to reading and validating the file alone, so a noisy machine still gives a fair picture.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIXTURE = ROOT / "fixtures" / "specs" / "SCDLMCB2.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch.name}/bench.sqlite3")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from units import spec_format
    from units.models import Specification
    from units.services import import_specification_files

    call_command("migrate", verbosity=0)
    Specification.objects.filter(code="SCDLMCB2").delete()

    imports, parses = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        spec_format.parse(FIXTURE.read_bytes(), source=FIXTURE.name)
        parses.append(time.perf_counter() - start)

        start = time.perf_counter()
        (outcome,) = import_specification_files(paths=[FIXTURE])
        imports.append(time.perf_counter() - start)
        if not outcome.created or outcome.specification.criteria.count() != 152:
            raise SystemExit("the import did not create the whole standard")
        Specification.objects.filter(pk=outcome.specification.pk).delete()

    median_import, median_parse = statistics.median(imports), statistics.median(parses)
    verdict = "meets" if median_import < 1.0 else "MISSES"
    print(f"import SCDLMCB2 (152 criteria, 16 headings), median of {args.repeat}: {median_import:.3f} s")
    print(
        f"  read + validate only: {median_parse:.3f} s; import / validate ratio: {median_import / median_parse:.2f}"
    )
    print(f"  goal < 1 s: {verdict} the goal ({median_import:.2f} of 1 s)")
    scratch.cleanup()


if __name__ == "__main__":
    main()
