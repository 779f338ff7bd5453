"""Issue 12 defect 7: an internal verifier's disagreement reopens exactly the judgements looked at (new rows, never
an edit), voids exactly the signatures over them, and the learner and the assessor are told; the learner is told
when completion is confirmed too."""

import pytest

from assessments.models import Judgement, JudgementReopening, SignOff
from assessments.selectors.met import countable_states
from assessments.services import AssessmentError
from assessments.services.judging import Decision, judge_again
from assessments.services.observations import record_observation
from assessments.services.signatures import sign_off
from notifications.models import Notification
from portfolio.models import Evidence
from quality.models import Sample
from records.verification.signatures import verify_signatures
from signing.append_only import AppendOnlyError
from tests.factories import DEFAULT_PASSWORD, EnrolmentFactory, lines_of
from tests.quality.test_iqa_samples import admin_check, complete, decide, make_sample


@pytest.fixture
def enrolment(unit, standard):
    return EnrolmentFactory(specifications=[unit, standard])


@pytest.fixture
def observation(enrolment, unit, standard):
    """One observation meeting every line of the unit and of the standard, both units signed off."""
    evidence = record_observation(
        assessor=enrolment.assessor, enrolment=enrolment, date="2026-10-01", setting="Riverside",
        observed="Led the team meeting.", title="Observation", targets=lines_of(unit) + lines_of(standard),
    )  # fmt: skip
    for specification in (unit, standard):
        for person in (enrolment.learner, enrolment.assessor):
            sign_off(user=person, enrolment=enrolment, specification=specification, password=DEFAULT_PASSWORD)
    return evidence


def judgement_on(evidence: Evidence, specification, ref: str) -> Judgement:
    return Judgement.objects.get(
        evidence=evidence, mapping__criterion__specification=specification, mapping__criterion__ref=ref,
        mapping__range_item__isnull=True,
    )  # fmt: skip


def unmet(enrolment, specification) -> dict[str, str]:
    states = countable_states(enrolments=[enrolment], specification_ids=[specification.pk])[
        (enrolment.pk, specification.pk)
    ]
    refs = {
        (c.pk, item.pk if item else None): f"{c.ref} {item.ref})" if item else c.ref
        for c, item in lines_of(specification)
    }
    return {refs[key]: state.reason for key, state in states.items() if not state.met}


def disagree_on(enrolment, unit, judgements):
    return decide(
        make_sample(enrolment, unit, kind=Sample.Kind.SUMMATIVE), agrees=False, judgements=judgements
    )


def test_a_disagreement_reopens_exactly_the_line_looked_at(enrolment, unit, standard, observation):
    disagree_on(enrolment, unit, [judgement_on(observation, unit, "1.2")])
    observation.refresh_from_db()
    assert observation.status == Evidence.Status.ACCEPTED
    assert unmet(enrolment, unit) == {
        "1.2": "Reopened by the internal verifier on E1: awaiting the assessor's new judgement."
    }
    assert unmet(enrolment, standard) == {}


def test_a_reopening_is_a_new_row_pointing_at_the_judgement_which_is_left_as_it_was(
    enrolment, unit, observation
):
    judgement = judgement_on(observation, unit, "1.2")
    disagree_on(enrolment, unit, [judgement])
    reopening = JudgementReopening.objects.get()
    assert (reopening.judgement, reopening.reopened_by) == (judgement, enrolment.internal_verifier)
    assert Judgement.objects.filter(pk=judgement.pk, met=True, round=1).exists()
    with pytest.raises(AppendOnlyError):
        reopening.delete()


def test_a_disagreement_voids_only_the_signatures_over_what_it_reopened(
    enrolment, unit, standard, observation
):
    disagree_on(enrolment, unit, [judgement_on(observation, unit, "1.2")])
    in_force = SignOff.objects.in_force().filter(enrolment=enrolment)
    assert sorted(in_force.values_list("specification__code", "role")) == [
        ("SCDLMCB2", "assessor"),
        ("SCDLMCB2", "learner"),
    ]
    assert verify_signatures() == []


def test_the_learner_is_told_what_was_reopened_and_which_signatures_were_voided(enrolment, unit, observation):
    disagree_on(enrolment, unit, [judgement_on(observation, unit, "1.2")])
    notice = Notification.objects.get(recipient=enrolment.learner, subject__contains="reopened")
    assert notice.subject == "L/652/0848: the internal verifier reopened 1 judgement(s)"
    assert notice.message == (
        f"{enrolment.internal_verifier.full_name} disagreed with your assessor's decisions on L/652/0848. "
        "Reopened to be judged again: L/652/0848 1.2 on E1. Signatures voided: L/652/0848 Candidate: submitted "
        "to assessor as complete; L/652/0848 Assessor: assessed complete. Your assessor will judge them again; "
        "nothing else changes."
    )


def test_the_assessor_is_told_what_was_reopened_and_which_signatures_were_voided(
    enrolment, unit, observation
):
    disagree_on(enrolment, unit, [judgement_on(observation, unit, "1.2")])
    notice = Notification.objects.get(
        recipient=enrolment.assessor, subject__startswith="Internal verification"
    )
    assert "Reopened to be judged again: L/652/0848 1.2 on E1. Signatures voided: L/652/0848 Candidate" in (
        notice.message
    )


def test_the_assessor_judges_again_only_the_reopened_line(enrolment, unit, observation):
    disagree_on(enrolment, unit, [judgement_on(observation, unit, "1.2")])
    observation.refresh_from_db()
    other = judgement_on(observation, unit, "2.1").mapping
    with pytest.raises(
        AssessmentError, match="only the criteria the internal verifier reopened are judged again"
    ):
        judge_again(
            assessor=enrolment.assessor, evidence=observation, version=observation.version,
            decisions=[Decision(mapping_id=other.pk, met=False)],
        )  # fmt: skip
    reopened = judgement_on(observation, unit, "1.2").mapping
    judge_again(
        assessor=enrolment.assessor, evidence=observation, version=observation.version,
        decisions=[Decision(mapping_id=reopened.pk, met=True, feedback="Shown on reflection.")],
    )  # fmt: skip
    assert unmet(enrolment, unit) == {}
    assert list(Judgement.objects.filter(mapping=reopened).values_list("round", "met")) == [
        (1, True),
        (2, True),
    ]


def test_the_learner_is_told_when_completion_is_confirmed(enrolment, unit, observation):
    decide(
        make_sample(enrolment, unit, kind=Sample.Kind.SUMMATIVE),
        judgements=[judgement_on(observation, unit, "1.2")],
    )
    admin_check(enrolment, unit)
    complete(enrolment, unit)
    notice = Notification.objects.get(recipient=enrolment.learner, subject__contains="completion confirmed")
    assert notice.subject == "L/652/0848: internal verifier: unit completion confirmed"
