"""A confirmed completion record is rendered once and kept in storage under its completion digest (#15 item 3):
later requests, from any instance, stream it from storage; a draft is rendered for each request."""

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse

from assessments.models import SignOff
from assessments.services.signatures import void_signatures
from records.record_pdfs import stored_name


@pytest.fixture
def renders(plain_records, monkeypatch):
    """Counts the renders (of the one-line stand-in PDF plain_records puts in place of WeasyPrint's)."""
    import records.pdf

    counted: list[str] = []
    plain = records.pdf.completion_record_pdf

    def counting(*, enrolment, specification):
        counted.append(specification.code)
        return plain(enrolment=enrolment, specification=specification)

    monkeypatch.setattr("records.pdf.completion_record_pdf", counting)
    monkeypatch.setattr("records.views.completion_record_pdf", counting)
    return counted


def record_url(enrolment, specification) -> str:
    return reverse("records:completion_record", args=[enrolment.pk, specification.pk])


def completion(enrolment) -> SignOff:
    return SignOff.objects.in_force().get(enrolment=enrolment, role=SignOff.Role.COMPLETION)


def test_a_confirmed_record_is_rendered_once_and_then_served_from_storage(
    client, completed_unit, unit, renders
):
    client.force_login(completed_unit.learner)

    first, second = (client.get(record_url(completed_unit, unit)) for _ in range(2))

    assert renders == [unit.code]
    assert (first.status_code, second.status_code) == (200, 200)
    assert b"".join(first.streaming_content) == b"".join(second.streaming_content)
    assert default_storage.exists(stored_name(completion(completed_unit).digest))


def test_a_stored_record_keeps_its_name_type_and_headers(client, completed_unit, unit, renders):
    client.force_login(completed_unit.learner)

    response = client.get(record_url(completed_unit, unit))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="completion-record-L-652-0848-v2-amara-okafor.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"


def test_a_draft_is_rendered_for_each_request_and_never_stored(client, unit_in_progress, unit, renders):
    client.force_login(unit_in_progress.learner)

    for _ in range(2):
        client.get(record_url(unit_in_progress, unit))

    assert renders == [unit.code, unit.code]
    assert not default_storage.exists("records")


def test_a_voided_completion_is_not_served_from_the_stored_record(client, completed_unit, unit, renders):
    """The stored file belongs to the digest: once the completion is voided the record is a draft again."""
    client.force_login(completed_unit.learner)
    client.get(record_url(completed_unit, unit))
    signature = completion(completed_unit)
    with transaction.atomic():
        void_signatures(
            signatures=[signature],
            by=signature.signer,
            reason="IV disagreed",
            summary="voided",
            enrolment=completed_unit,
        )

    response = client.get(record_url(completed_unit, unit))

    assert renders == [unit.code, unit.code]
    assert not response.streaming  # rendered now, as a draft
