"""Benchmark: render the completion record of SCDLMCB2 for a learner with 300 pieces of evidence.

Goals: median render <= 3 s, and <= 1.5 times WeasyPrint alone on the same HTML.

Run: .venv/bin/python bench/render_record.py [--repeat N] [--pieces N]
Uses a throw-away SQLite file (migrated, SCDLMCB2 imported from fixtures/specs) and builds the portfolio in bulk
through the ORM: every piece has a file and is mapped to two lines of the standard, judged met and accepted, so
every line is met by several pieces. The full render (reading the record, the template and WeasyPrint) and
WeasyPrint alone on the record's HTML saved once are timed alternately in one run, so a noisy machine still gives
a fair ratio; CPU time and the load average are printed beside wall time, to tell a slow machine from a busy one.
"""

import argparse
import datetime
import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported for real after django.setup()
    from centres.models import Enrolment
    from units.models import Specification

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIXTURE = ROOT / "fixtures" / "specs" / "SCDLMCB2.yaml"
GOAL_SECONDS = 3.0
GOAL_RATIO = 1.5


def build_portfolio(pieces: int) -> tuple["Enrolment", "Specification"]:
    """A learner on SCDLMCB2 with `pieces` accepted pieces of evidence, each with a file and two met lines."""
    from django.utils import timezone

    from accounts.models import User
    from assessments.models import Judgement
    from centres.models import AssessmentMethod, EnrolledSpecification, Enrolment, Membership
    from centres.services.centres import create_centre
    from portfolio.models import Evidence, EvidenceFile, EvidenceMapping
    from units.models import Criterion
    from units.services import import_specification_files

    (outcome,) = import_specification_files(paths=[FIXTURE])
    specification = outcome.specification
    centre = create_centre(name="Riverside Care Academy", code="bench")
    people = {
        role: User.objects.create_user(f"{role}@bench.example", "bench", full_name=name)
        for role, name in (
            ("learner", "Amara Okafor"),
            ("assessor", "Brendan Walsh"),
            ("iv", "Catherine Lloyd"),
        )
    }
    Membership.objects.bulk_create(
        Membership(centre=centre, user=user, role=role) for role, user in people.items()
    )
    enrolment = Enrolment.objects.create(
        centre=centre,
        learner=people["learner"],
        assessor=people["assessor"],
        internal_verifier=people["iv"],
        start_date=datetime.date(2026, 9, 1),
    )
    EnrolledSpecification.objects.create(enrolment=enrolment, specification=specification)
    method = AssessmentMethod.objects.get(centre=centre, code="RA")
    evidence = Evidence.objects.bulk_create(
        Evidence(
            enrolment=enrolment,
            centre=centre,
            learner=people["learner"],
            number=number,
            title=f"Reflective account {number} of leading a person-centred care review",
            date=datetime.date(2026, 10, 1) + datetime.timedelta(days=number % 60),
            method=method,
            status=Evidence.Status.ACCEPTED,
        )
        for number in range(1, pieces + 1)
    )
    EvidenceFile.objects.bulk_create(
        EvidenceFile(
            evidence=item,
            file=f"evidence/{centre.pk}/{item.number:032x}.pdf",
            original_name=f"reflective-account-{item.number}.pdf",
            size=250_000,
            content_type="application/pdf",
            sha256=hashlib.sha256(str(item.number).encode()).hexdigest(),
            uploaded_by=people["learner"],
        )
        for item in evidence
    )
    criteria = list(Criterion.objects.filter(specification=specification).order_by("position"))
    mappings = EvidenceMapping.objects.bulk_create(
        EvidenceMapping(
            evidence=item, criterion=criteria[(2 * i + k) % len(criteria)], created_by=item.learner
        )
        for i, item in enumerate(evidence)
        for k in (0, 1)
    )
    now = timezone.now()
    Judgement.objects.bulk_create(
        Judgement(
            mapping=mapping,
            evidence=mapping.evidence,
            round=1,
            met=True,
            assessor=people["assessor"],
            judged_at=now,
        )
        for mapping in mappings
    )
    return enrolment, specification


def reference_html() -> str:
    """The layout style.md measured (1.7 s with WeasyPrint 70 there): 176 criteria and a 300-row evidence index
    as plain block rows with borders. Timing it here tells how fast this machine is against that figure."""
    text = (
        "Lead practice that supports individuals to make decisions and take control of their lives and care."
    )
    rows = "".join(
        f'<div class="row"><b>P{n}</b> {text} <span>E{n}, E{n + 1}</span></div>' for n in range(1, 177)
    )
    index = "".join(
        f'<div class="row"><b>E{n}</b> Reflective account {n} · RA · 1 October 2026 · Accepted<br>'
        f'<span class="mono">reflective-account-{n}.pdf SHA-256 {hashlib.sha256(bytes(n)).hexdigest()}</span></div>'
        for n in range(1, 301)
    )
    return (
        '<html lang="en-GB"><head><title>Reference layout</title><style>'
        '@page { size: A4; margin: 20mm; @bottom-right { content: "Page " counter(page) " of " counter(pages) } }'
        'body { font: 9pt "DejaVu Sans"; } .row { border-bottom: 0.5pt solid #aaa; padding: 1mm 0; }'
        '.mono { font: 7pt "DejaVu Sans Mono"; }'
        f"</style></head><body>{rows}{index}</body></html>"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pieces", type=int, default=300)
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory()
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}/bench.sqlite3"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # WeasyPrint logs every step at INFO
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from weasyprint import HTML

    from records.pdf import completion_record_html, completion_record_pdf
    from records.selectors import completion_record

    call_command("migrate", verbosity=0)
    enrolment, specification = build_portfolio(args.pieces)
    record = completion_record(enrolment=enrolment, specification=specification)
    html = completion_record_html(record=record)
    base_url = str(settings.BASE_DIR)

    full, static, reference, full_cpu, static_cpu, pages = [], [], [], [], [], 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        HTML(string=reference_html()).write_pdf(pdf_variant="pdf/a-3a")
        reference.append(time.perf_counter() - start)

        start, cpu = time.perf_counter(), time.process_time()
        completion_record_pdf(enrolment=enrolment, specification=specification)
        full.append(time.perf_counter() - start)
        full_cpu.append(time.process_time() - cpu)

        start, cpu = time.perf_counter(), time.process_time()
        document = HTML(string=html, base_url=base_url).render()
        document.write_pdf(pdf_variant="pdf/a-3a")
        static.append(time.perf_counter() - start)
        static_cpu.append(time.process_time() - cpu)
        pages = len(document.pages)

    median_full, median_static = statistics.median(full), statistics.median(static)
    ratio = median_full / median_static
    print(
        f"completion record of SCDLMCB2: {record.line_count} lines, {len(record.evidence)} pieces of evidence, "
        f"{pages} A4 pages; median of {args.repeat}"
    )
    print(
        f"  full render (read + template + WeasyPrint): {median_full:.2f} s (CPU {statistics.median(full_cpu):.2f} s)"
    )
    print(
        f"  WeasyPrint alone on the same HTML:          {median_static:.2f} s (CPU {statistics.median(static_cpu):.2f} s)"
    )
    print(
        f"  goal <= {GOAL_SECONDS:.0f} s: {'OK' if median_full <= GOAL_SECONDS else 'MISSED'} ({median_full:.2f} s)"
    )
    print(f"  goal ratio <= {GOAL_RATIO}: {'OK' if ratio <= GOAL_RATIO else 'MISSED'} ({ratio:.2f})")
    print(
        f"  machine check: style.md's reference layout (176 rows and a 300-row index, 1.7 s where it was "
        f"measured) takes {statistics.median(reference):.2f} s here"
    )
    print(f"  load average while running: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    scratch.cleanup()


if __name__ == "__main__":
    main()
