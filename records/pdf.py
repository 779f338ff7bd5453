"""The completion record as a PDF: archival (PDF/A-3a, tagged), A4, its text selectable and searchable; once
final, signed by the centre (records/pdf_signature.py)."""

import re
import unicodedata

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML

from centres.models import Enrolment
from records.pdf_signature import sign_record_pdf
from records.selectors import CompletionRecord, completion_record
from units.models import Specification


def completion_record_html(*, record: CompletionRecord) -> str:
    """The record as HTML for WeasyPrint; apart so a benchmark can time the layout on its own."""
    return render_to_string("records/completion_record.html", {"record": record})


def completion_record_pdf(*, enrolment: Enrolment, specification: Specification) -> bytes:
    """Render the completion record; an awarding body files it for years, so it is PDF/A. A final record
    carries the centre's signature, so a reader can tell it came from the centre unchanged; a DRAFT does not,
    since it is not a record anyone should rely on."""
    record = completion_record(enrolment=enrolment, specification=specification)
    html = completion_record_html(record=record)
    pdf: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/a-3a")
    if not record.is_complete:
        return pdf
    return sign_record_pdf(pdf, centre_id=enrolment.centre_id, centre_name=record.centre_name)


def ascii_slug(text: str, *, lower: bool) -> str:
    """Letters, digits and hyphens only, accents dropped: a name of our own making that any system accepts."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text.lower() if lower else ascii_text).strip("-")


def completion_record_filename(*, enrolment: Enrolment, specification: Specification) -> str:
    """A safe ASCII name saying whose record of which specification version it is (codes such as
    "L/652/0848" hold slashes, names hold accents)."""
    code = ascii_slug(specification.code, lower=False) or "specification"
    version = ascii_slug(specification.version, lower=True) or "0"
    learner = ascii_slug(str(enrolment.learner), lower=True) or "learner"
    return f"completion-record-{code}-v{version}-{learner}.pdf"
