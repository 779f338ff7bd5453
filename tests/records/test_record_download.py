"""The completion record over HTTP: rendered in the request, as a named PDF attachment."""

import io

from django.urls import reverse
from pypdf import PdfReader


def test_the_completion_record_downloads_as_a_named_pdf_of_the_learners_record(
    client, unit_in_progress, unit
):
    client.force_login(unit_in_progress.learner)

    response = client.get(reverse("records:completion_record", args=[unit_in_progress.pk, unit.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="completion-record-L-652-0848-v1-amara-okafor.pdf"'
    )
    first_page = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Amara Okafor" in first_page
    assert "L/652/0848" in first_page
