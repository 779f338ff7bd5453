"""What a learner (or a care manager) reads: judged mappings are not "proposed", check codes explained, styled
refusal and not-found pages that say why, every form error at once on its field and in a linked summary."""

import re

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from assessments.services.judging import Decision, decide, save_judgements
from tests.factories import EnrolmentFactory, UserFactory, create_evidence_for, method, submitted_evidence
from tests.factories.portfolio import EvidenceFileFactory
from units.models import Criterion


@pytest.fixture
def enrolment(unit, standard):
    return EnrolmentFactory(specifications=[unit, standard])


def test_a_mapping_judged_met_is_no_longer_called_proposed(client, enrolment, standard):
    evidence = submitted_evidence(
        enrolment, [(Criterion.objects.get(specification=standard, ref="P6"), None)]
    )
    evidence = save_judgements(
        assessor=enrolment.assessor,
        evidence=evidence,
        version=evidence.version,
        decisions=[Decision(mapping_id=evidence.mappings.get().pk, met=True)],
    )
    decide(assessor=enrolment.assessor, evidence=evidence, version=evidence.version, accept=True, feedback="")
    client.force_login(enrolment.learner)
    page = client.get(reverse("portfolio:evidence_detail", args=[evidence.pk])).content.decode()
    assert '<span class="meta">judged met (round 1)</span>' in page
    assert "proposed" not in page


def test_a_submitted_mapping_not_yet_judged_awaits_the_assessor(client, enrolment, standard):
    evidence = submitted_evidence(
        enrolment, [(Criterion.objects.get(specification=standard, ref="P6"), None)]
    )
    client.force_login(enrolment.learner)
    page = client.get(reverse("portfolio:evidence_detail", args=[evidence.pk])).content.decode()
    assert '<span class="meta">proposed, awaiting the assessor</span>' in page


def test_opening_submitted_evidence_to_edit_gives_a_styled_page_that_says_why(client, enrolment, standard):
    evidence = submitted_evidence(
        enrolment, [(Criterion.objects.get(specification=standard, ref="P6"), None)]
    )
    client.force_login(enrolment.learner)
    response = client.get(reverse("portfolio:evidence_edit", args=[evidence.pk]))
    page = response.content.decode()
    assert response.status_code == 403
    assert "<title>Not allowed · Evidence portfolio</title>" in page
    assert page.count("<main") == 1
    assert "E1 is submitted: it cannot be changed until your assessor refers it back to you." in page


def test_a_page_that_is_not_there_is_a_styled_page(client, enrolment):
    client.force_login(enrolment.learner)
    response = client.get(reverse("portfolio:evidence_detail", args=[999_999]))
    assert response.status_code == 404
    assert "<title>Not found · Evidence portfolio</title>" in response.content.decode()


def test_the_file_panel_explains_the_check_code(client, enrolment):
    evidence_file = EvidenceFileFactory(evidence=create_evidence_for(enrolment))
    client.force_login(enrolment.learner)
    page = client.get(reverse("portfolio:evidence_detail", args=[evidence_file.evidence_id])).content.decode()
    assert "Each file's check code (its SHA-256) is worked out from its content" in page
    assert f'check code <code title="{evidence_file.sha256}">' in page
    assert "SHA-256 <code" not in page


def test_add_evidence_shows_every_error_at_once_on_its_field_and_in_a_linked_summary(client, enrolment):
    client.force_login(enrolment.learner)
    response = client.post(
        reverse("portfolio:evidence_create", args=[enrolment.pk]),
        {"title": "", "date": "2999-01-01", "method": method(enrolment.centre, "WT").pk},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Add evidence · Evidence portfolio</title>" in page
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)
    for field, label, message in [
        ("title", "Title", "This field is required."),
        ("date", "Date", "The evidence date cannot be in the future."),
        ("witness_name", "Witness&#x27;s name", "Witness testimony needs the witness&#x27;s name."),
        ("witness_role", "Witness&#x27;s job role", "Witness testimony needs the witness&#x27;s job role."),
    ]:
        assert f'<a href="#id_{field}">{label}: {message}</a>' in summary, field
        assert f'<ul class="errorlist" id="id_{field}_error"><li>{message}</li></ul>' in page, field
        assert re.search(rf'<[^>]+id="id_{field}"[^>]*>', page).group(0).count('aria-invalid="true"') == 1
    for described in re.findall(r'aria-describedby="([^"]+)"', page):
        for target in described.split():
            assert f'id="{target}"' in page, target  # every id a field points at exists


def test_the_declaration_is_the_apps_to_enforce_with_its_message_on_the_field(client, enrolment, standard):
    evidence = create_evidence_for(enrolment)
    client.force_login(enrolment.learner)
    page = client.get(reverse("portfolio:evidence_detail", args=[evidence.pk])).content.decode()
    assert re.search(r'<form method="post" action="[^"]+/submit/" novalidate>', page)
    response = client.post(reverse("portfolio:evidence_submit", args=[evidence.pk]), {})
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: E1" in page
    assert "Confirm that this is your own work before submitting.</a>" in page
    assert '<a href="#id_declaration">' in page
    assert 'id="id_declaration_error"' in page


@override_settings(PASSWORD_RESET_TIMEOUT=3 * 24 * 3600)
def test_the_password_reset_email_says_how_long_its_link_works(client, db):
    person = UserFactory(email="reset@example.org")
    client.post(reverse("password_reset"), {"email": person.email})
    (message,) = mail.outbox
    assert "The link works once, and for 3\xa0days from when this e-mail was sent" in message.body
