"""Completion records of confirmed completions, rendered once and kept in storage (S3 when configured).

Once the IV has confirmed completion, the record is frozen: its completion signature covers every line, every
earlier signature and the evidence files' SHA-256, and the signature's digest names exactly that content. The
PDF is therefore stored under that digest and served from storage on every later request, on any instance,
instead of spending seconds of a web worker on WeasyPrint each time. A completion that is voided (an IV's
disagreement) has no signature in force, so the next record is a new draft and, once confirmed again, a new
digest and a new file. A draft (no completion in force) is still rendered for each request: it changes.
"""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from assessments.models import SignOff
from centres.models import Enrolment
from portfolio.downloads import StoredName
from records import pdf
from units.models import Specification

# Raised when what the record's file holds changes, so that records kept under the old one are made again:
# 2 since confirmed records carry the centre's PDF signature (records kept before were unsigned).
LAYOUT = 2


def completion_digest(*, enrolment: Enrolment, specification: Specification) -> str | None:
    """The digest of the completion signature in force; None while the record is a draft."""
    return (
        SignOff.objects.in_force()
        .filter(enrolment=enrolment, specification=specification, role=SignOff.Role.COMPLETION)
        .values_list("digest", flat=True)
        .first()
    )


def stored_name(digest: str) -> str:
    return f"records/completion-{digest}-layout{LAYOUT}.pdf"


def frozen_record(*, enrolment: Enrolment, specification: Specification) -> tuple[StoredName, str] | None:
    """The stored PDF of a confirmed record and its digest, rendered and stored now if this is its first
    request; None for a draft."""
    digest = completion_digest(enrolment=enrolment, specification=specification)
    if digest is None:
        return None
    name = stored_name(digest)
    if not default_storage.exists(name):
        rendered = pdf.completion_record_pdf(enrolment=enrolment, specification=specification)
        if not default_storage.exists(name):  # another instance may have stored it meanwhile
            name = default_storage.save(name, ContentFile(rendered))
    return StoredName(name, default_storage), digest
