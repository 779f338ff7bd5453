"""Benchmark data: a centre of N learners, built in bulk (never through per-portfolio factory or service calls).

Run: .venv/bin/python bench/centre.py [--learners 1000] [--database-url URL] [--lead-caseload K]
     .venv/bin/python bench/centre.py --learners 10000          # the large centre (about two minutes)
The database is created afresh on the PostgreSQL server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432)
and named `bench_centre_<N>` unless --database-url names one; it must be called bench…, as it is dropped first.
It is migrated, then filled; bench/pages.py and bench/load.py build it the same way when it is missing.

The centre, for N learners (every figure scales with N; the per-portfolio shapes do not):
- N learners, each enrolled on the RQF unit L/652/0848 with 4 pieces of evidence mapped to 8 lines each: the
  first `i % 5` accepted and judged met (round 1), the next one submitted and awaiting review, the rest drafts;
- N/40 assessors with 40 learners each (25 x 40 at 1,000), or, with --lead-caseload K, the first assessor K
  learners and the others 40; N/200 internal verifiers (at least 2), one centre administrator;
- learner 1 ("the large portfolio"), also on the NOS SCDLMCB2: 300 accepted pieces with 1,000 mappings to its
  criteria, each piece with a small file (--heavy-pieces, --heavy-mappings);
- learner 2, also on SCDLMCB2: a piece resubmitted after two referred rounds, 40 mappings, each judged in
  both earlier rounds ("the review screen");
- the first IV's sampling plan over the whole centre: an interim and a summative sample per learner (2,000 at
  1,000), a tenth of them decided (agreed, VACS all yes) with an action on every tenth decision.
Everyone's password is PASSWORD below; staff have a confirmed authenticator app (django-otp's TOTPDevice), as
after their first sign-in, so a bench signs them in through the real form with the code the app would show.
No audit entries or notifications are written. The stored summary figures agree with what was inserted: the
enrolled specifications' progress is recomputed at the end by the project's own command (`recompute_progress`,
`STORED_FIGURES`), and the plan's coverage is stored as changing its samples stores it.
"""

import argparse
import datetime
import io
import os
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]
from centre_extras import enrol_on, enrolments_of, heavy_portfolio, review_piece, sampling_plan  # noqa: E402
from centre_rows import (  # noqa: E402
    CASELOAD,
    CENTRE_CODE,
    CHUNK,
    PASSWORD,
    STANDARD_FIXTURE,
    UNIT_FIXTURE,
    BenchCentre,
    Shape,
    email,
    lines_of,
    make_learners,
    make_staff,
    ordinary_evidence,
    recompute_stored_figures,
    row_counts,
)  # fmt: skip

__all__ = ["CASELOAD", "PASSWORD", "BenchCentre", "Shape", "build_centre", "ensure_centre"]
SERVER = "postgres://postgres@127.0.0.1:5432"


def build_centre(shape: Shape, *, now: datetime.datetime | None = None) -> BenchCentre:
    """The whole centre in the current database (migrated, without a `bench` centre)."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from centres.services.centres import create_centre
    from units.services import import_specification_files

    now = now or timezone.now()
    unit, standard = (
        o.specification for o in import_specification_files(paths=[UNIT_FIXTURE, STANDARD_FIXTURE])
    )
    centre = create_centre(name="Bench Care Academy", code=CENTRE_CODE)
    call_command("create_signing_key", "--all", stdout=io.StringIO())  # its keys, before anything is signed
    password = make_password(PASSWORD)  # hashed once: every account shares it
    staff = make_staff(centre, shape, password=password)
    methods = {m.code: m for m in centre.methods.all()}
    lines = lines_of(unit)
    for start in range(0, shape.learners, CHUNK):
        indexes = range(start, min(start + CHUNK, shape.learners))
        enrolments = make_learners(centre, shape, indexes, staff, unit=unit, password=password)
        ordinary_evidence(centre, shape, indexes, enrolments, methods, lines, now=now)
    first, second = enrolments_of(centre, [email("learner", 1), email("learner", 2)])
    enrol_on(standard, [first, second])
    heavy = heavy_portfolio(first, standard, methods, shape, now=now)
    review = review_piece(second, standard, methods, now=now)
    plan_id, sample_id = sampling_plan(centre, unit, staff["verifiers"][0], now=now)
    recomputed = recompute_stored_figures()
    return BenchCentre(
        centre_id=centre.pk,
        admin=staff["admin"][0].email,
        assessors=[u.email for u in staff["assessors"]],
        verifiers=[u.email for u in staff["verifiers"]],
        learners=[email("learner", n) for n in range(1, shape.learners + 1)],
        heavy_enrolment_id=heavy,
        review_evidence_id=review,
        plan_id=plan_id,
        sample_id=sample_id,
        standard_id=standard.pk,
        unit_id=unit.pk,
        counts=row_counts(),
        recomputed=recomputed,
    )


def find_centre() -> BenchCentre:
    """The `Centre` of a database `build_centre` filled earlier."""
    from accounts.models import User
    from assessments.models import Review
    from centres.models import Centre as CentreModel
    from centres.models import Membership
    from portfolio.models import Evidence
    from quality.models import SampleDecision, SamplingPlan
    from units.models import Specification

    centre = CentreModel.objects.get(code=CENTRE_CODE)

    def people(role: str) -> list[str]:
        emails = User.objects.filter(memberships__centre=centre, memberships__role=role)
        return sorted(emails.values_list("email", flat=True), key=lambda e: (len(e), e))

    first, _ = enrolments_of(centre, [email("learner", 1), email("learner", 2)])
    reviewed = Review.objects.filter(round=2, evidence__centre=centre).values_list("evidence_id", flat=True)
    plan = SamplingPlan.objects.get(centre=centre)
    decided = SampleDecision.objects.filter(sample__plan=plan).order_by("sample_id").first()
    return BenchCentre(
        centre_id=centre.pk,
        admin=people(Membership.Role.ADMIN)[0],
        assessors=people(Membership.Role.ASSESSOR),
        verifiers=people(Membership.Role.INTERNAL_VERIFIER),
        learners=people(Membership.Role.LEARNER),
        heavy_enrolment_id=first.pk,
        review_evidence_id=Evidence.objects.get(pk__in=reviewed).pk,
        plan_id=plan.pk,
        sample_id=decided.sample_id if decided else plan.samples.values_list("pk", flat=True)[0],
        standard_id=Specification.objects.get(code="SCDLMCB2").pk,
        unit_id=Specification.objects.get(code="L/652/0848").pk,
        counts=row_counts(),
    )


def database_url(shape: Shape, given: str | None = None) -> str:
    """The database of a centre of `shape`: `given`, or bench_centre_<N> on DATABASE_URL's server (with the
    first assessor's caseload, _lead<K>, and the large portfolio, _<pieces>x<mappings>, when not the default)."""
    if given:
        return given
    server = urlsplit(os.environ.get("DATABASE_URL", "").strip() or SERVER)
    if not server.scheme.startswith("postgres"):
        server = urlsplit(SERVER)
    name = f"bench_centre_{shape.learners}"
    if shape.lead_caseload != Shape.lead_caseload:
        name += f"_lead{shape.lead_caseload}"
    if (shape.heavy_pieces, shape.heavy_mappings) != (Shape.heavy_pieces, Shape.heavy_mappings):
        name += f"_{shape.heavy_pieces}x{shape.heavy_mappings}"
    return urlunsplit(server._replace(path=f"/{name}"))


def create_database(url: str) -> None:
    """Drop and create the (bench…) database `url` names, on its PostgreSQL server."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not parts.scheme.startswith("postgres"):
        raise SystemExit(f"bench/centre.py builds on PostgreSQL; {url} is not a postgres:// URL")
    if not name.startswith("bench") or not name.replace("_", "").isalnum():
        raise SystemExit(f"refusing to drop and create {name!r}: the bench's databases are named bench…")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def database_exists(url: str) -> bool:
    """Whether the database exists and holds a built bench centre."""
    import psycopg

    try:
        with psycopg.connect(url) as connection:
            row = connection.execute(
                "SELECT count(*) FROM centres_centre WHERE code = %s", [CENTRE_CODE]
            ).fetchone()
    except psycopg.Error:
        return False
    return bool(row and row[0])


def setup_django(url: str) -> None:
    """Point Django at `url` and its files (production settings, HTTP on 127.0.0.1) and set it up."""
    os.environ["DATABASE_URL"] = url
    os.environ.update(files_of(url))
    for name, value in bench_environment().items():
        os.environ.setdefault(name, value)
    import django

    django.setup()


def bench_environment() -> dict[str, str]:
    """Production settings (DEBUG off) as `bin/serve` would have them, served over plain HTTP on 127.0.0.1."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "HTTPS": "false",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-5d2e8a91c4b7f3e6",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "TASKS_BACKEND": "database",
    }


def bench_dir(url: str) -> Path:
    """What belongs with the database `url` names: var/bench/<database>/ (evidence files, signing keys)."""
    return ROOT / "var" / "bench" / urlsplit(url).path.lstrip("/")


def files_of(url: str) -> dict[str, str]:
    """The settings of the database's files: its evidence files and its centre's signing keys (made by
    `create_signing_key --all` when the centre is built: production keys, as DEBUG is off)."""
    folder = bench_dir(url)
    return {
        "MEDIA_ROOT": str(folder / "media"),
        "SIGNING_KEY_DIR": str(folder / "signing-keys"),
        "SIGNING_KEYSET": str(folder / "signing-keys" / "keys.json"),
    }


def ensure_centre(
    learners: int, *, url: str | None = None, rebuild: bool = False, **shape: int
) -> BenchCentre:
    """Set Django up on the bench database of `learners` learners, building it first if it is missing, was made
    before a migration the code now has, or `rebuild` asks."""
    url = database_url(Shape(learners, **shape), url)
    setup_django(url)
    if not rebuild and database_exists(url) and not migrations_pending():
        return replace(find_centre(), url=url)
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    create_database(url)
    shutil.rmtree(bench_dir(url), ignore_errors=True)
    for name in ("MEDIA_ROOT", "SIGNING_KEY_DIR"):
        Path(files_of(url)[name]).mkdir(parents=True)
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    centre = replace(build_centre(Shape(learners=learners, **shape)), url=url)
    print(f"built a centre of {learners:,} learners in {time.perf_counter() - start:.0f} s at {url}")
    return centre


def migrations_pending() -> bool:
    """Whether the database lacks a migration of the code (then it is built again)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--learners", type=int, default=1000, help="learners in the centre (10000 for the large one)"
    )
    parser.add_argument(
        "--database-url", help="postgres://… of a database named bench… (dropped and created)"
    )
    parser.add_argument("--lead-caseload", type=int, default=CASELOAD, help="learners of the first assessor")
    parser.add_argument("--heavy-pieces", type=int, default=300, help="pieces of the large portfolio")
    parser.add_argument("--heavy-mappings", type=int, default=1000, help="its mappings")
    args = parser.parse_args()
    if args.learners < 2 or args.heavy_pieces < 1 or not 1 <= args.lead_caseload <= args.learners:
        raise SystemExit(
            "--learners must be at least 2, --heavy-pieces at least 1, --lead-caseload 1 to --learners"
        )
    centre = ensure_centre(
        args.learners,
        url=args.database_url,
        rebuild=True,
        lead_caseload=args.lead_caseload,
        heavy_pieces=args.heavy_pieces,
        heavy_mappings=args.heavy_mappings,
    )
    print("  " + ", ".join(f"{name}: {count:,}" for name, count in centre.counts.items()))
    print(f"  stored figures recomputed by: {', '.join(centre.recomputed) or 'none (no such command yet)'}")


if __name__ == "__main__":
    main()
