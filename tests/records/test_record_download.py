"""The rendered completion record where people get it: over HTTP, as a named PDF attachment, and in an export."""

import io
import zipfile

from django.urls import reverse
from pypdf import PdfReader

from records.exports import write_learner_export


def test_the_completion_record_downloads_as_a_named_pdf_of_the_learners_record(
    client, unit_in_progress, unit
):
    client.force_login(unit_in_progress.learner)

    response = client.get(reverse("records:completion_record", args=[unit_in_progress.pk, unit.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="completion-record-L-652-0848-v2-amara-okafor.pdf"'
    )
    first_page = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Amara Okafor" in first_page
    assert "L/652/0848" in first_page


def test_a_learner_export_holds_the_rendered_completion_record(unit_in_progress, unit):
    archive_bytes = io.BytesIO()
    write_learner_export(enrolment=unit_in_progress, out=archive_bytes)

    with zipfile.ZipFile(archive_bytes) as archive:
        record = archive.read("records/completion-record-L-652-0848-v2-amara-okafor.pdf")
    first_page = PdfReader(io.BytesIO(record)).pages[0].extract_text()
    assert "Amara Okafor" in first_page
    assert "DRAFT" in first_page
