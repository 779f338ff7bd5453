"""Benchmark: a cohort export of 30 completed portfolios on the RQF unit L/652/0848, then its verification.

Run: .venv/bin/python bench/export_cohort.py [--learners 30] [--pieces 5] [--file-kib 64]
Uses a throw-away SQLite database and MEDIA_ROOT (in one temporary directory, removed afterwards). Each learner gets
`--pieces` pieces of evidence: an observation mapped to every line of the unit, the rest reflective accounts
sharing the lines between them, each with one file of `--file-kib` KiB (incompressible), one replaced once (an
earlier version); everything judged met and accepted, and the learner's and assessor's signatures recorded with
the digest of what they cover, as `sign_off` records them. The setup uses bulk inserts and is not timed. Prints
the time of `write_cohort_export` (the completion record PDFs included) and per learner, the ZIP's size, then the
time of `verify_export` on the result and whether it passed.
"""

import argparse
import datetime
import hashlib
import os
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIXTURE = ROOT / "fixtures" / "specs" / "L-652-0848.yaml"
PDF_HEADER = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--pieces", type=int, default=5, help="pieces of evidence per learner (at least 2)")
    parser.add_argument("--file-kib", type=int, default=64)
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory()
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{scratch.name}/media"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from records.exports import write_cohort_export
    from records.verification import verify_export

    call_command("migrate", verbosity=0)
    enrolments = build_cohort(
        learners=args.learners, pieces=max(args.pieces, 2), file_bytes=args.file_kib * 1024
    )

    target = Path(scratch.name) / "cohort.zip"
    start = time.perf_counter()
    with target.open("wb") as out:
        write_cohort_export(enrolments=enrolments, out=out)
    elapsed = time.perf_counter() - start
    print(
        f"write_cohort_export: {len(enrolments)} learners x {args.pieces} pieces of evidence "
        f"({args.file_kib} KiB files): {elapsed:.2f} s, {elapsed / len(enrolments):.3f} s per learner, "
        f"{target.stat().st_size / 1024 / 1024:.1f} MiB"
    )

    start = time.perf_counter()
    report = verify_export(target)
    elapsed = time.perf_counter() - start
    print(f"verify_export: {elapsed:.2f} s; {report.summary}")
    print("  passed" if report.ok else "  FAILED:\n" + "\n".join(f"    {p}" for p in report.problems))
    scratch.cleanup()
    if not report.ok:
        raise SystemExit(1)


def build_cohort(*, learners: int, pieces: int, file_bytes: int) -> list:
    """`learners` completed portfolios on the unit, made with bulk inserts."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from accounts.models import User
    from assessments.models import Judgement, Review, SignOff
    from assessments.services import covered_record, digest_of
    from portfolio.models import (
        AssessmentMethod,
        EnrolledSpecification,
        Enrolment,
        Evidence,
        EvidenceFile,
        EvidenceMapping,
    )
    from portfolio.services import create_centre
    from units.models import Criterion
    from units.services import import_specification_files

    (outcome,) = import_specification_files(paths=[FIXTURE])
    unit = outcome.specification
    centre = create_centre(name="Bench Care Academy", code="bench")
    methods = {m.code: m for m in AssessmentMethod.objects.filter(centre=centre)}
    criteria = (
        Criterion.objects.filter(specification=unit).prefetch_related("range_items").order_by("position")
    )
    lines = [(c, item) for c in criteria for item in (c.range_items.all() or [None])]
    assessor = User.objects.create_user("assessor@bench.example", full_name="Brendan Walsh")
    verifier = User.objects.create_user("iv@bench.example", full_name="Catherine Lloyd")
    people = User.objects.bulk_create(
        User(email=f"learner{n}@bench.example", full_name=f"Learner {n:02d} Bench")
        for n in range(1, learners + 1)
    )
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(
            centre=centre,
            learner=person,
            assessor=assessor,
            internal_verifier=verifier,
            start_date=datetime.date(2026, 9, 1),
        )
        for person in people
    )
    EnrolledSpecification.objects.bulk_create(
        EnrolledSpecification(enrolment=enrolment, specification=unit) for enrolment in enrolments
    )
    now = timezone.now()
    evidence = Evidence.objects.bulk_create(
        Evidence(
            enrolment=enrolment,
            centre=centre,
            learner=enrolment.learner,
            number=number,
            title="Observation of a care review" if number == 1 else f"Reflective account {number}",
            date=datetime.date(2026, 10, number),
            method=methods["OBS" if number == 1 else "RA"],
            narrative="What I did, why, and what I would do differently.",
            status=Evidence.Status.ACCEPTED,
            declared_at=now,
            declared_by=enrolment.learner,
            submitted_at=now,
        )
        for enrolment in enrolments
        for number in range(1, pieces + 1)
    )
    files = []
    for piece in evidence:
        for version in (1, 2) if piece.number == 2 else (2,):
            content = PDF_HEADER + os.urandom(file_bytes - len(PDF_HEADER))
            name = default_storage.save(f"evidence/{centre.pk}/bench.pdf", ContentFile(content))
            files.append(
                EvidenceFile(
                    evidence=piece,
                    file=name,
                    original_name=f"{piece.reference} account.pdf",
                    size=len(content),
                    content_type="application/pdf",
                    sha256=hashlib.sha256(content).hexdigest(),
                    uploaded_by=piece.learner,
                    is_current=version == 2,
                )
            )
    files = EvidenceFile.objects.bulk_create(files)
    for earlier, current in pairwise(files):
        if earlier.evidence_id == current.evidence_id:
            current.replaces = earlier
    EvidenceFile.objects.bulk_update(files, ["replaces"])
    mappings = EvidenceMapping.objects.bulk_create(
        EvidenceMapping(evidence=piece, criterion=criterion, range_item=item, created_by=piece.learner)
        for piece in evidence
        for index, (criterion, item) in enumerate(lines)
        if piece.number == 1 or index % (pieces - 1) == piece.number - 2
    )
    by_pk = {piece.pk: piece for piece in evidence}
    Judgement.objects.bulk_create(
        Judgement(
            mapping=mapping,
            evidence=by_pk[mapping.evidence_id],
            round=1,
            met=True,
            assessor=assessor,
            judged_at=now,
        )
        for mapping in mappings
    )
    Review.objects.bulk_create(
        Review(evidence=piece, round=1, decision=Review.Decision.ACCEPTED, assessor=assessor, decided_at=now)
        for piece in evidence
    )
    for enrolment in enrolments:
        covered = covered_record(enrolment=enrolment, specification=unit)
        learner = SignOff.objects.create(
            enrolment=enrolment,
            specification=unit,
            role=SignOff.Role.LEARNER,
            signer=enrolment.learner,
            name_printed=enrolment.learner.full_name,
            signed_at=now,
            covered=covered,
            digest=digest_of(covered),
        )
        covered = {**covered, "learner_signature": learner.digest}
        SignOff.objects.create(
            enrolment=enrolment,
            specification=unit,
            role=SignOff.Role.ASSESSOR,
            signer=assessor,
            name_printed=assessor.full_name,
            signed_at=now,
            covered=covered,
            digest=digest_of(covered),
        )
    return list(Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).order_by("pk"))


if __name__ == "__main__":
    main()
