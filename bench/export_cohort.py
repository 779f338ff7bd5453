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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported for real after django.setup()
    from accounts.models import User
    from assessments.models import SignOff
    from centres.models import Centre, Enrolment
    from portfolio.models import Evidence, EvidenceFile
    from units.models import Criterion, RangeItem, Specification

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
    os.environ["SIGNING_KEY_DIR"] = f"{scratch.name}/signing-keys"  # development keys, made on demand
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from records.exports import write_cohort_export
    from records.verification.exports import verify_export
    from signing.keys import keyset

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
    report = verify_export(target, keys=keyset())
    elapsed = time.perf_counter() - start
    print(f"verify_export: {elapsed:.2f} s; {report.summary}")
    print("  passed" if report.ok else "  FAILED:\n" + "\n".join(f"    {p}" for p in report.problems))
    scratch.cleanup()
    if not report.ok:
        raise SystemExit(1)


def build_cohort(*, learners: int, pieces: int, file_bytes: int) -> list["Enrolment"]:
    """`learners` completed portfolios on the unit, made with bulk inserts."""
    from django.utils import timezone

    from accounts.models import User
    from centres.models import Enrolment
    from centres.services.centres import create_centre
    from units.services import import_specification_files

    (outcome,) = import_specification_files(paths=[FIXTURE])
    unit = outcome.specification
    centre = create_centre(name="Bench Care Academy", code="bench")
    assessor = User.objects.create_user("assessor@bench.example", full_name="Brendan Walsh")
    now = timezone.now()
    enrolments = _enrol(centre, unit, assessor, learners=learners)
    evidence = _add_evidence(centre, enrolments, pieces=pieces, now=now)
    _add_files(evidence, file_bytes=file_bytes)
    _judge_accepted(evidence, _lines(unit), assessor, pieces=pieces, now=now)
    for enrolment in enrolments:
        _sign(enrolment, unit, assessor, now=now)
    return list(Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).order_by("pk"))


def _lines(unit: "Specification") -> list[tuple["Criterion", "RangeItem | None"]]:
    """The lines of the unit's recording form: each criterion without range items, each range item of the others."""
    from units.models import Criterion

    criteria = (
        Criterion.objects.filter(specification=unit).prefetch_related("range_items").order_by("position")
    )
    return [(c, item) for c in criteria for item in (c.range_items.all() or [None])]


def _enrol(centre: "Centre", unit: "Specification", assessor: "User", *, learners: int) -> list["Enrolment"]:
    """`learners` new learners on the unit, all with the same assessor and internal verifier."""
    from accounts.models import User
    from centres.models import EnrolledSpecification, Enrolment

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
    return enrolments


def _add_evidence(
    centre: "Centre", enrolments: list["Enrolment"], *, pieces: int, now: datetime.datetime
) -> list["Evidence"]:
    """Each learner's accepted, declared evidence: an observation (number 1), then reflective accounts."""
    from centres.models import AssessmentMethod
    from portfolio.models import Evidence

    methods = {m.code: m for m in AssessmentMethod.objects.filter(centre=centre)}
    return Evidence.objects.bulk_create(
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


def _stored_pdf(piece: "Evidence", *, file_bytes: int, current: bool) -> "EvidenceFile":
    """An unsaved file row for `piece`, its incompressible content already in storage."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from portfolio.models import EvidenceFile

    content = PDF_HEADER + os.urandom(file_bytes - len(PDF_HEADER))
    name = default_storage.save(f"evidence/{piece.centre_id}/bench.pdf", ContentFile(content))
    return EvidenceFile(
        evidence=piece,
        file=name,
        original_name=f"{piece.reference} account.pdf",
        size=len(content),
        content_type="application/pdf",
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=piece.learner,
        is_current=current,
    )


def _add_files(evidence: list["Evidence"], *, file_bytes: int) -> None:
    """One file per piece; piece 2's has an earlier version it replaced, so the export has a history to show."""
    from portfolio.models import EvidenceFile

    rows = [
        _stored_pdf(piece, file_bytes=file_bytes, current=version == 2)
        for piece in evidence
        for version in ((1, 2) if piece.number == 2 else (2,))
    ]
    files = EvidenceFile.objects.bulk_create(rows)
    for earlier, current in pairwise(files):
        if earlier.evidence_id == current.evidence_id:
            current.replaces = earlier
    EvidenceFile.objects.bulk_update(files, ["replaces"])


def _judge_accepted(
    evidence: list["Evidence"],
    lines: list[tuple["Criterion", "RangeItem | None"]],
    assessor: "User",
    *,
    pieces: int,
    now: datetime.datetime,
) -> None:
    """The observation is mapped to every line, the accounts share the lines between them; all met, accepted."""
    from assessments.models import Judgement, Review
    from portfolio.models import EvidenceMapping

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


def _sign(enrolment: "Enrolment", unit: "Specification", assessor: "User", *, now: datetime.datetime) -> None:
    """The learner's and then the assessor's signature, as `sign_off` records them: the assessor's covers the
    learner's signature too."""
    from assessments.models import SignOff
    from assessments.services.signatures import covered_record

    covered = covered_record(enrolment=enrolment, specification=unit)
    learner = _signature(enrolment, unit, SignOff.Role.LEARNER, enrolment.learner, covered, now=now)
    covered = {**covered, "learner_signature": learner.digest}
    _signature(enrolment, unit, SignOff.Role.ASSESSOR, assessor, covered, now=now)


def _signature(
    enrolment: "Enrolment",
    unit: "Specification",
    role: str,
    signer: "User",
    covered: dict[str, Any],
    *,
    now: datetime.datetime,
) -> "SignOff":
    """One signature row with the digest of what it covers (no audit entry or notice: the bench needs neither)."""
    from assessments.models import SignOff
    from assessments.services.signatures import digest_of

    return SignOff.objects.create(
        enrolment=enrolment,
        specification=unit,
        role=role,
        signer=signer,
        name_printed=signer.full_name,
        signed_at=now,
        covered=covered,
        digest=digest_of(covered),
    )


if __name__ == "__main__":
    main()
