"""The review screen as the assessor meets it: a decision navigates to the caseload, nothing typed is lost, frozen
or decided work offers no judging form, and a refusal names what is missing."""

import pytest
from django.urls import reverse

from assessments.models import Review, RoundFeedback
from assessments.services.observations import record_observation
from assessments.services.signatures import sign_off
from portfolio.models import Evidence
from tests.factories import DEFAULT_PASSWORD, EnrolmentFactory, lines_of, submitted_evidence
from units.models import Criterion

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def enrolment(unit, standard):
    return EnrolmentFactory(specifications=[unit, standard])


@pytest.fixture
def evidence(enrolment, standard):
    targets = [(Criterion.objects.get(specification=standard, ref=ref), None) for ref in ("P6", "P7")]
    return submitted_evidence(enrolment, targets)


def form(evidence: Evidence, verdicts: dict[str, str], action: str, feedback: str = "", **extra: str) -> dict:
    data = {"version": evidence.version, "action": action, "feedback": feedback}
    for mapping in evidence.mappings.select_related("criterion"):
        data[f"met-{mapping.pk}"] = verdicts.get(mapping.criterion.ref, "")
        data[f"feedback-{mapping.pk}"] = extra.get(mapping.criterion.ref, "")
    return data


def test_accepting_through_htmx_navigates_to_the_caseload_instead_of_drawing_it_in_the_panel(
    client, enrolment, evidence
):
    client.force_login(enrolment.assessor)
    response = client.post(
        reverse("assessments:review", args=[evidence.pk]),
        form(evidence, {"P6": "met", "P7": "met"}, "accept"),
        **HTMX,
    )
    assert (response.status_code, response["HX-Redirect"], response.content) == (
        200,
        reverse("assessments:caseload"),
        b"",
    )
    assert "Location" not in response


def test_a_plain_form_post_still_redirects(client, enrolment, evidence):
    client.force_login(enrolment.assessor)
    response = client.post(
        reverse("assessments:review", args=[evidence.pk]),
        form(evidence, {"P6": "met", "P7": "met"}, "accept"),
    )
    assert (response.status_code, response["Location"]) == (302, reverse("assessments:caseload"))


def test_the_caseload_after_accepting_shows_the_message_in_one_main(client, enrolment, evidence):
    client.force_login(enrolment.assessor)
    client.post(
        reverse("assessments:review", args=[evidence.pk]),
        form(evidence, {"P6": "met", "P7": "met"}, "accept"),
        **HTMX,
    )
    page = client.get(reverse("assessments:caseload")).content.decode()
    assert page.count("<main") == 1
    assert "E1 accepted; the learner is told." in page


def test_overall_feedback_saved_with_the_judgements_comes_back_in_the_box(client, enrolment, evidence):
    client.force_login(enrolment.assessor)
    url = reverse("assessments:review", args=[evidence.pk])
    client.post(url, form(evidence, {"P6": "met"}, "save", "Well done."), **HTMX)
    page = client.get(url).content.decode()
    assert 'name="feedback" rows="4" aria-describedby="overall-feedback-help">Well done.</textarea>' in page


def test_overall_feedback_saved_then_accepted_reaches_the_learners_round(client, enrolment, evidence):
    client.force_login(enrolment.assessor)
    url = reverse("assessments:review", args=[evidence.pk])
    client.post(url, form(evidence, {"P6": "met", "P7": "met"}, "save", "Well done."))
    evidence.refresh_from_db()
    client.post(url, form(evidence, {"P6": "met", "P7": "met"}, "accept", "Well done."))
    assert Review.objects.get(evidence=evidence).feedback == "Well done."
    assert not RoundFeedback.objects.exists()
    client.force_login(enrolment.learner)
    page = client.get(reverse("portfolio:evidence_detail", args=[evidence.pk])).content.decode()
    assert "<blockquote>Well done.</blockquote>" in page


def test_a_refused_decision_keeps_the_overall_feedback(client, enrolment, evidence):
    client.force_login(enrolment.assessor)
    response = client.post(
        reverse("assessments:review", args=[evidence.pk]),
        form(evidence, {"P6": "met"}, "accept", "Well done."),
        **HTMX,
    )
    assert response.status_code == 400
    assert ">Well done.</textarea>" in response.content.decode()


def test_a_refused_decision_names_the_criteria_not_judged_yet(client, enrolment, evidence):
    client.force_login(enrolment.assessor)
    response = client.post(
        reverse("assessments:review", args=[evidence.pk]), form(evidence, {"P6": "met"}, "accept"), **HTMX
    )
    assert "Judge every criterion first: SCDLMCB2 P7 is not judged yet in this round." in (
        response.content.decode()
    )


def test_feedback_on_a_criterion_without_a_verdict_is_kept_and_explained(client, enrolment, evidence):
    client.force_login(enrolment.assessor)
    response = client.post(
        reverse("assessments:review", args=[evidence.pk]),
        form(evidence, {"P6": "met"}, "save", P7="Say more about the handover."),
        **HTMX,
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose Met or Not yet met for P7 on E1: feedback is saved with its judgement." in page
    assert ">Say more about the handover.</textarea>" in page
    assert 'value="met" checked' in page  # P6's choice, typed but not saved, is still chosen


def test_a_stale_form_keeps_what_was_typed_in_the_boxes(client, enrolment, evidence):
    client.force_login(enrolment.assessor)
    url = reverse("assessments:review", args=[evidence.pk])
    stale = form(evidence, {"P6": "not_met"}, "save", "My overall view.", P6="My note on P6.")
    client.post(url, form(evidence, {"P6": "met"}, "save"))
    page = client.post(url, stale, **HTMX).content.decode()
    assert ">My overall view.</textarea>" in page
    assert ">My note on P6.</textarea>" in page


def test_accepted_evidence_shows_no_judging_form_and_says_why(client, enrolment, evidence):
    client.force_login(enrolment.assessor)
    url = reverse("assessments:review", args=[evidence.pk])
    client.post(url, form(evidence, {"P6": "met", "P7": "met"}, "accept"))
    page = client.get(url).content.decode()
    assert "Judge the criteria" not in page
    assert 'name="action"' not in page
    assert "E1 is accepted: there is nothing to judge." in page


def test_referred_evidence_shows_no_judging_form_until_resubmitted(client, enrolment, evidence):
    client.force_login(enrolment.assessor)
    url = reverse("assessments:review", args=[evidence.pk])
    client.post(url, form(evidence, {"P6": "met", "P7": "not_met"}, "refer", "See P7."))
    page = client.get(url).content.decode()
    assert 'name="action"' not in page
    assert "E1 is referred back to the learner: you judge it again when they resubmit it." in page


def test_evidence_frozen_by_a_sign_off_shows_no_judging_form(client, enrolment, unit):
    record_observation(
        assessor=enrolment.assessor,
        enrolment=enrolment,
        date="2026-10-01",
        setting="Riverside",
        observed="Led the team meeting.",
        title="Observation",
        targets=lines_of(unit),
    )
    late = submitted_evidence(enrolment, [lines_of(unit)[0]])
    for person in (enrolment.learner, enrolment.assessor):
        sign_off(user=person, enrolment=enrolment, specification=unit, password=DEFAULT_PASSWORD)
    client.force_login(enrolment.assessor)
    page = client.get(reverse("assessments:review", args=[late.pk])).content.decode()
    assert 'name="action"' not in page
    assert "E2 is covered by the sign-off of L/652/0848: its judgements are frozen." in page
