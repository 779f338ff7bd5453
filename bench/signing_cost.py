"""Benchmark: what signing costs, as ratios to the same work unsigned, measured in one run.

1. 10,000 records signed: canonical JSON + SHA-256 digest + the centre's Ed25519 signature (`signing.keys.sign`,
   the path every sign-off, export manifest and checkpoint takes), against canonical JSON + SHA-256 alone (what a
   digest cost before records were signed).
2. The same 10,000 verified against the key set (`KeySet.verify`, as `verify_signatures` and `verify_export`
   do), against recomputing canonical JSON + SHA-256 alone.
3. A completion record PDF of about 26 pages signed with the centre's ECDSA P-256 certificate (pyHanko, PAdES:
   `records.pdf_signature.sign_record_pdf`), against rendering the same record unsigned (WeasyPrint, PDF/A-3a).

Run: .venv/bin/python bench/signing_cost.py [--records N] [--pieces N] [--repeat N]
Uses a throw-away SQLite file and signing-key directory (development keys made on demand); the record's
portfolio is built as bench/render_record.py builds it. The signed and unsigned runs alternate, so a noisy
machine still gives a fair ratio; medians are printed.
"""

import argparse
import datetime
import hashlib
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def covered_record(number: int) -> dict[str, Any]:
    """A record of the size a sign-off covers on a small unit: 30 lines, 10 pieces of evidence with files."""
    return {
        "specification": {
            "code": "L/652/0848",
            "version": "1",
            "digest": hashlib.sha256(b"spec").hexdigest(),
        },
        "learner": {"id": number, "name": "Amara Okafor"},
        "centre": "riverside",
        "role": "assessor",
        "signer": 7,
        "signed_at": datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)
        + datetime.timedelta(seconds=number),
        "lines": [
            {"ref": f"{n // 3 + 1}.{n % 3 + 1}", "met": True, "evidence": [f"E{n % 10 + 1}"]}
            for n in range(30)
        ],
        "evidence": [
            {
                "number": f"E{n}",
                "title": f"Reflective account {n}",
                "files": [{"name": f"account-{n}.pdf", "sha256": hashlib.sha256(bytes([n])).hexdigest()}],
            }
            for n in range(1, 11)
        ],
    }


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def bench_records(count: int, repeat: int, centre_id: int) -> None:
    from signing.keys import canonical, keyset, sign

    records = [covered_record(n) for n in range(count)]
    signed = [sign(centre_id, canonical(record)) for record in records]
    keys = keyset()

    def digests() -> None:
        for record in records:
            hashlib.sha256(canonical(record)).hexdigest()

    def signatures() -> None:
        for record in records:
            payload = canonical(record)
            hashlib.sha256(payload).hexdigest()
            sign(centre_id, payload)

    def verifications() -> None:
        for record, (key_id, signature) in zip(records, signed, strict=True):
            keys.verify(key_id, canonical(record), signature)

    plain, signing, verifying = [], [], []
    for _ in range(repeat):
        plain.append(timed(digests))
        signing.append(timed(signatures))
        verifying.append(timed(verifications))
    base = statistics.median(plain)
    print(f"{count:,} records of {len(canonical(records[0])):,} bytes (canonical JSON); median of {repeat}")
    print(f"  canonical JSON + SHA-256 (unsigned):          {base:.3f} s")
    for label, times in (
        ("+ Ed25519 signature (signing.keys.sign):", signing),
        ("verified (KeySet.verify):", verifying),
    ):
        median = statistics.median(times)
        print(f"  {label:<44} {median:.3f} s  ratio {median / base:.1f}")


def bench_pdf(pieces: int, repeat: int) -> None:
    from django.conf import settings
    from pypdf import PdfReader
    from render_record import build_portfolio
    from weasyprint import HTML

    from records.pdf import completion_record_html
    from records.pdf_signature import sign_record_pdf
    from records.selectors import completion_record

    enrolment, specification = build_portfolio(pieces)
    html = completion_record_html(record=completion_record(enrolment=enrolment, specification=specification))
    base_url = str(settings.BASE_DIR)
    pdf: bytes = b""

    def render() -> None:
        nonlocal pdf
        pdf = HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/a-3a")

    rendering, signing = [], []
    for _ in range(repeat):
        rendering.append(timed(render))
        signing.append(
            timed(
                lambda: sign_record_pdf(pdf, centre_id=enrolment.centre_id, centre_name=enrolment.centre.name)
            )
        )
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    render_s, sign_s = statistics.median(rendering), statistics.median(signing)
    print(f"completion record PDF: {pages} A4 pages, {len(pdf) / 1024:.0f} KiB; median of {repeat}")
    print(f"  render unsigned (WeasyPrint, PDF/A-3a):     {render_s:.3f} s")
    print(f"  sign it (pyHanko PAdES, ECDSA P-256):       {sign_s:.3f} s  ratio {sign_s / render_s:.2f}")
    print(f"  render + sign, against render alone:        ratio {(render_s + sign_s) / render_s:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--pieces", type=int, default=300, help="pieces of evidence in the record (26 pages)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory()
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}/bench.sqlite3"
    os.environ["SIGNING_KEY_DIR"] = f"{scratch.name}/signing-keys"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # WeasyPrint logs every step at INFO
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    bench_pdf(args.pieces, args.repeat)
    from centres.models import Centre

    bench_records(args.records, args.repeat, Centre.objects.get().pk)
    print(f"  load average while running: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    scratch.cleanup()


if __name__ == "__main__":
    main()
