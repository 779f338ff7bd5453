"""Checking a completion record PDF offline against the published key set: what `manage.py verify_record` runs.

A final record carries one PAdES signature (records/pdf_signature.py). It passes only if that signature covers
every byte of the file, nothing was added after it, its certificate is one the key set publishes for a centre's
ECDSA P-256 key, and that key was in force when the record was signed. The key set, not the PDF, says whose
certificate it is: a PDF signed with any other certificate, even one naming the centre, fails.
"""

import io
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from signing.keys import ECDSA_P256, KeySet, PublicKey

# What reading or validating a damaged or hostile PDF raises, beyond pyHanko's own errors.
_DAMAGE = (PdfError, SignatureValidationError, ValueError, KeyError, TypeError, IndexError, AttributeError)


@dataclass
class RecordReport:
    """What was found in one PDF: who signed it and when, or every problem, each on one line."""

    signed_by: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _published_key(certificate: asn1_x509.Certificate, keys: KeySet) -> PublicKey | None:
    """The key set's entry whose certificate is exactly this one, byte for byte."""
    der = certificate.dump()
    for key in keys:
        if key.algorithm != ECDSA_P256 or key.certificate is None:
            continue
        published = x509.load_pem_x509_certificate(key.certificate.encode("ascii"))
        if published.public_bytes(serialization.Encoding.DER) == der:
            return key
    return None


def verify_record(data: bytes, *, keys: KeySet) -> RecordReport:
    """Check a completion record PDF's signature against the key set; never raises on a bad file."""
    report = RecordReport()
    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except _DAMAGE as error:
        report.problems.append(f"not a PDF, or too damaged to read ({error})")
        return report
    if not signatures:
        report.problems.append("not signed: only a final record is signed (a DRAFT never is)")
        return report
    if len(signatures) > 1:
        report.problems.append(f"holds {len(signatures)} signatures; a completion record has exactly one")
        return report
    try:
        _check(signatures[0], keys, report)
    except _DAMAGE as error:
        report.problems.append(f"its signature cannot be read ({error})")
    return report


def _check(signature: EmbeddedPdfSignature, keys: KeySet, report: RecordReport) -> None:
    certificate = signature.signer_cert
    subject = certificate.subject.human_friendly
    key = _published_key(certificate, keys)
    if key is None:
        report.problems.append(
            f"signed with a certificate that is not in the key set given (--keys): {subject}"
        )
        return
    signed_at = signature.self_reported_timestamp
    status = validate_pdf_signature(
        signature,
        ValidationContext(trust_roots=[certificate], moment=signed_at, allow_fetching=False),
    )
    report.problems.extend(_problems(status, key, signed_at))
    if not report.problems:
        report.signed_by = f"signed by {subject} (key {key.key_id}) at {signed_at:%Y-%m-%d %H:%M %Z}"


def _problems(status: PdfSignatureStatus, key: PublicKey, signed_at: datetime | None) -> list[str]:
    if not status.intact or not status.valid:
        return ["changed after it was signed: the signature no longer matches the file's bytes"]
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return ["something was added to the file after it was signed"]
    if signed_at is None:
        return ["the signature gives no signing time, so the key's validity cannot be checked"]
    if not key.in_force_at(signed_at):
        return [f"signed at {signed_at.isoformat()}, when key {key.key_id} was not in force"]
    if not status.trusted:
        return [f"the certificate of key {key.key_id} does not validate as published"]
    return []
