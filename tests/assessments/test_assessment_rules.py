"""Judging evidence, the observation rule, met and progress, sign-off, freezing and reopening."""

import pytest
from django.core import mail

from assessments.models import Judgement, Review, SignOff
from assessments.selectors.met import countable_states
from assessments.services import AssessmentError, SignedOffError, StaleFormError
from assessments.services.judging import Decision, decide, save_judgements
from assessments.services.observations import record_observation
from assessments.services.signatures import digest_of, reopen, sign_off
from audit.models import AuditEntry
from portfolio.models import Evidence
from portfolio.services import PortfolioError
from portfolio.services.evidence import submit_evidence
from portfolio.services.mappings import add_mapping
from records.verification.signatures import verify_signatures
from tests.factories import (
    DEFAULT_PASSWORD,
    EnrolmentFactory,
    create_evidence_for,
    lines_of,
    submitted_evidence,
)
from tests.tampering import behind_the_triggers
from units.models import Criterion, RangeItem


@pytest.fixture
def enrolment(unit, standard):
    return EnrolmentFactory(specifications=[unit, standard])


def line(specification, ref: str, item: str | None = None):
    criterion = Criterion.objects.get(specification=specification, ref=ref)
    return criterion, RangeItem.objects.get(criterion=criterion, ref=item) if item else None


def judge(evidence: Evidence, verdicts: dict[str, bool], feedback: str = "") -> Evidence:
    """The assessor judges each mapping by its label ("1.1 a)", "P6")."""
    evidence.refresh_from_db()
    decisions = [
        Decision(mapping_id=m.pk, met=verdicts[m.label], feedback=feedback if not verdicts[m.label] else "")
        for m in evidence.mappings.select_related("criterion", "range_item")
        if m.label in verdicts
    ]
    return save_judgements(
        assessor=evidence.enrolment.assessor, evidence=evidence, version=evidence.version, decisions=decisions
    )


def accept(evidence: Evidence) -> Review:
    evidence.refresh_from_db()
    return decide(
        assessor=evidence.enrolment.assessor,
        evidence=evidence,
        version=evidence.version,
        accept=True,
        feedback="",
    )


def state(enrolment, specification, ref, item=None):
    criterion, range_item = line(specification, ref, item)
    states = countable_states(enrolments=[enrolment], specification_ids=[specification.pk])
    return states.get((enrolment.pk, specification.pk), {}).get(
        (criterion.pk, range_item.pk if range_item else None)
    )


def meet_everything(enrolment, specification):
    """Every line met through one accepted observation, as the browser test's "seeded" remainder."""
    return record_observation(
        assessor=enrolment.assessor,
        enrolment=enrolment,
        date="2026-10-01",
        setting="Riverside",
        observed="Led the team meeting.",
        title="Observation",
        targets=lines_of(specification),
    )


def test_assessor_judges_two_met_and_one_not_and_refers_back_with_feedback(enrolment, unit, standard):
    evidence = submitted_evidence(
        enrolment, [line(unit, "1.1", "a"), line(standard, "P6"), line(standard, "K14")]
    )
    evidence = judge(evidence, {"1.1 a)": True, "P6": True, "K14": False}, feedback="Say more about K14.")
    review = decide(
        assessor=enrolment.assessor,
        evidence=evidence,
        version=evidence.version,
        accept=False,
        feedback="Nearly.",
    )
    evidence.refresh_from_db()
    assert evidence.status == Evidence.Status.REFERRED
    assert (review.round, review.decision, review.feedback) == (1, "referred", "Nearly.")
    assert sorted((j.mapping.label, j.met) for j in Judgement.objects.filter(evidence=evidence)) == [
        ("1.1 a)", True),
        ("K14", False),
        ("P6", True),
    ]


def test_every_round_is_kept_when_the_learner_resubmits_and_the_assessor_accepts(enrolment, standard):
    evidence = submitted_evidence(enrolment, [line(standard, "P6")])
    evidence = judge(evidence, {"P6": False}, feedback="Add the care plan.")
    decide(
        assessor=enrolment.assessor, evidence=evidence, version=evidence.version, accept=False, feedback=""
    )
    submit_evidence(user=enrolment.learner, evidence=evidence, declaration=True)
    evidence = judge(evidence, {"P6": True})
    accept(evidence)
    evidence.refresh_from_db()
    assert evidence.status == Evidence.Status.ACCEPTED
    assert list(Review.objects.filter(evidence=evidence).values_list("round", "decision")) == [
        (1, "referred"),
        (2, "accepted"),
    ]
    assert list(Judgement.objects.filter(evidence=evidence).values_list("round", "met")) == [
        (1, False),
        (2, True),
    ]


def test_evidence_cannot_be_accepted_before_every_mapping_is_judged(enrolment, standard):
    evidence = submitted_evidence(enrolment, [line(standard, "P6"), line(standard, "P7")])
    evidence = judge(evidence, {"P6": True})
    with pytest.raises(
        AssessmentError, match="Judge every criterion first: SCDLMCB2 P7 is not judged yet in this round."
    ):
        accept(evidence)


def test_referring_back_needs_feedback(enrolment, standard):
    evidence = submitted_evidence(enrolment, [line(standard, "P6")])
    evidence = judge(evidence, {"P6": False})
    with pytest.raises(AssessmentError, match="feedback is needed to refer evidence back"):
        decide(
            assessor=enrolment.assessor,
            evidence=evidence,
            version=evidence.version,
            accept=False,
            feedback=" ",
        )


def test_a_learner_cannot_judge_their_own_evidence(enrolment, standard):
    evidence = submitted_evidence(enrolment, [line(standard, "P6")])
    mapping = evidence.mappings.get()
    with pytest.raises(AssessmentError, match="You cannot judge your own evidence."):
        save_judgements(
            assessor=enrolment.learner,
            evidence=evidence,
            version=evidence.version,
            decisions=[Decision(mapping.pk, True)],
        )


def test_an_assessor_cannot_judge_a_learner_not_on_their_caseload(enrolment, standard):
    evidence = submitted_evidence(enrolment, [line(standard, "P6")])
    stranger = EnrolmentFactory(centre=enrolment.centre).assessor
    with pytest.raises(AssessmentError, match="is not on your caseload"):
        save_judgements(
            assessor=stranger,
            evidence=evidence,
            version=evidence.version,
            decisions=[Decision(evidence.mappings.get().pk, True)],
        )
    assert not Judgement.objects.exists()


def test_a_stale_form_is_refused_and_overwrites_nothing(enrolment, standard):
    evidence = submitted_evidence(enrolment, [line(standard, "P6")])
    seen = evidence.version
    mapping = evidence.mappings.get()
    save_judgements(
        assessor=enrolment.assessor, evidence=evidence, version=seen, decisions=[Decision(mapping.pk, True)]
    )
    with pytest.raises(StaleFormError, match="was changed by someone else while you had it open"):
        save_judgements(
            assessor=enrolment.assessor,
            evidence=evidence,
            version=seen,
            decisions=[Decision(mapping.pk, False)],
        )
    assert list(Judgement.objects.values_list("met", flat=True)) == [True]


def test_range_items_are_met_one_by_one(enrolment, unit):
    evidence = submitted_evidence(enrolment, [line(unit, "1.1", "a"), line(unit, "1.1", "b")])
    accept(judge(evidence, {"1.1 a)": True, "1.1 b)": False}))
    assert state(enrolment, unit, "1.1", "a").met is True
    assert state(enrolment, unit, "1.1", "b").met is False
    assert state(enrolment, unit, "1.1", "b").reason == "Judged not yet met on E1."


def test_a_skill_criterion_is_not_met_without_an_accepted_observation(enrolment, unit):
    evidence = submitted_evidence(enrolment, [line(unit, "3.1")])
    accept(judge(evidence, {"3.1": True}))
    skill = state(enrolment, unit, "3.1")
    assert skill.met is False
    assert skill.reason == (
        "Judged met on E1, but the assessment rules of L/652/0848 v2 need a direct observation for LO3: an "
        "observation of practice recorded by the assessor must be among the evidence judged met."
    )


def test_an_accepted_observation_meets_a_skill_criterion(enrolment, unit):
    accept(judge(submitted_evidence(enrolment, [line(unit, "3.1")]), {"3.1": True}))
    observation = record_observation(
        assessor=enrolment.assessor,
        enrolment=enrolment,
        date="2026-10-02",
        setting="Riverside",
        observed="Chaired the development plan review.",
        title="Observation of a team plan review",
        targets=[line(unit, "3.1")],
    )
    assert (observation.reference, observation.method.code, observation.status) == ("E2", "OBS", "accepted")
    assert state(enrolment, unit, "3.1").met is True
    assert [e.reference for e in state(enrolment, unit, "3.1").met_by] == ["E1", "E2"]


def test_a_knowledge_criterion_needs_no_observation(enrolment, unit):
    accept(judge(submitted_evidence(enrolment, [line(unit, "2.1")]), {"2.1": True}))
    assert state(enrolment, unit, "2.1").met is True


def test_a_unit_with_unmet_criteria_cannot_be_signed(enrolment, unit):
    with pytest.raises(AssessmentError, match=r"L/652/0848 cannot be signed off: 30 not met yet \(1.1 a\)"):
        sign_off(user=enrolment.learner, enrolment=enrolment, specification=unit, password=DEFAULT_PASSWORD)
    assert not SignOff.objects.exists()


def test_a_wrong_password_records_no_signature(enrolment, unit):
    meet_everything(enrolment, unit)
    with pytest.raises(AssessmentError, match="That password is not right"):
        sign_off(user=enrolment.learner, enrolment=enrolment, specification=unit, password="guess")
    assert not SignOff.objects.exists()


def test_the_learner_signs_before_the_assessor(enrolment, unit):
    meet_everything(enrolment, unit)
    with pytest.raises(AssessmentError, match="The learner signs L/652/0848 as complete first."):
        sign_off(user=enrolment.assessor, enrolment=enrolment, specification=unit, password=DEFAULT_PASSWORD)


def test_learner_and_assessor_sign_with_a_digest_of_what_they_signed(enrolment, unit):
    meet_everything(enrolment, unit)
    learner = sign_off(
        user=enrolment.learner, enrolment=enrolment, specification=unit, password=DEFAULT_PASSWORD
    )
    assessor = sign_off(
        user=enrolment.assessor, enrolment=enrolment, specification=unit, password=DEFAULT_PASSWORD
    )
    assert (learner.role, learner.name_printed) == ("learner", enrolment.learner.full_name)
    assert (assessor.role, assessor.name_printed) == ("assessor", enrolment.assessor.full_name)
    assert learner.digest == digest_of(learner.covered)
    assert assessor.covered["learner_signature"] == learner.digest
    assert len(learner.covered["lines"]) == 30
    assert all(entry["met"] for entry in learner.covered["lines"])
    assert verify_signatures() == []


def test_signing_twice_is_refused(enrolment, unit):
    meet_everything(enrolment, unit)
    sign_off(user=enrolment.learner, enrolment=enrolment, specification=unit, password=DEFAULT_PASSWORD)
    with pytest.raises(AssessmentError, match="You have already signed L/652/0848 off."):
        sign_off(user=enrolment.learner, enrolment=enrolment, specification=unit, password=DEFAULT_PASSWORD)
    assert SignOff.objects.count() == 1


def test_judgements_are_frozen_after_sign_off(enrolment, unit):
    late = submitted_evidence(enrolment, [line(unit, "2.1")])
    meet_everything(enrolment, unit)
    sign_off(user=enrolment.learner, enrolment=enrolment, specification=unit, password=DEFAULT_PASSWORD)
    with pytest.raises(
        SignedOffError, match="covered by the sign-off of L/652/0848: its judgements are frozen"
    ):
        judge(late, {"2.1": False})
    assert not Judgement.objects.filter(evidence=late).exists()


def test_no_more_evidence_is_mapped_to_a_signed_off_unit(enrolment, unit):
    draft = create_evidence_for(enrolment)
    meet_everything(enrolment, unit)
    sign_off(user=enrolment.learner, enrolment=enrolment, specification=unit, password=DEFAULT_PASSWORD)
    with pytest.raises(
        PortfolioError, match="L/652/0848 is signed off as complete, so no more evidence is mapped"
    ):
        add_mapping(user=enrolment.learner, evidence=draft, criterion=line(unit, "2.1")[0])
    assert not draft.mappings.exists()


def test_reopening_needs_a_reason_and_voids_the_signatures(enrolment, unit):
    meet_everything(enrolment, unit)
    sign_off(user=enrolment.learner, enrolment=enrolment, specification=unit, password=DEFAULT_PASSWORD)
    with pytest.raises(AssessmentError, match="Give the reason for reopening"):
        reopen(user=enrolment.assessor, enrolment=enrolment, specification=unit, reason="  ")
    voided = reopen(
        user=enrolment.assessor, enrolment=enrolment, specification=unit, reason="IV disagreed on 3.4"
    )
    assert [(s.void_reason, s.voided_by) for s in voided] == [("IV disagreed on 3.4", enrolment.assessor)]
    late = submitted_evidence(enrolment, [line(unit, "2.1")])
    judge(late, {"2.1": True})
    assert AuditEntry.objects.filter(action="signoff.voided").count() == 1


def test_tampering_with_a_judgement_after_sign_off_is_detected(enrolment, unit):
    observation = meet_everything(enrolment, unit)
    sign_off(user=enrolment.learner, enrolment=enrolment, specification=unit, password=DEFAULT_PASSWORD)
    tampered = Judgement.objects.get(evidence=observation, mapping__criterion__ref="2.2")
    behind_the_triggers("UPDATE assessments_judgement SET met = false WHERE id = %s", [tampered.pk])
    problems = verify_signatures()
    assert len(problems) == 1
    assert "what it covers has changed since signing (judgements, lines)" in problems[0]


def test_tampering_with_a_stored_digest_is_detected(enrolment, unit):
    meet_everything(enrolment, unit)
    signature = sign_off(
        user=enrolment.learner, enrolment=enrolment, specification=unit, password=DEFAULT_PASSWORD
    )
    behind_the_triggers("UPDATE assessments_signoff SET digest = %s WHERE id = %s", ["0" * 64, signature.pk])
    assert verify_signatures() == [
        f"L/652/0848 learner signature #{signature.pk} by {signature.name_printed} "
        f"({signature.signed_at:%Y-%m-%d %H:%M}): the stored digest does not match what it records as signed"
    ]


def test_the_learner_is_told_when_feedback_arrives(enrolment, standard, django_capture_on_commit_callbacks):
    evidence = submitted_evidence(enrolment, [line(standard, "P6")])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        accept(judge(evidence, {"P6": True}))
    assert [m.to for m in mail.outbox] == [[enrolment.learner.email]]
    assert mail.outbox[0].subject.endswith("Feedback on E1: accepted")


def test_each_judgement_and_decision_is_in_the_audit_trail(enrolment, standard):
    evidence = submitted_evidence(enrolment, [line(standard, "P6")])
    accept(judge(evidence, {"P6": True}))
    entries = AuditEntry.objects.filter(learner=enrolment.learner).order_by("sequence")
    actions = [e.action for e in entries if e.action.startswith(("judgement", "evidence.accepted"))]
    assert actions == ["judgement.recorded", "evidence.accepted"]
    judged = entries.get(action="judgement.recorded")
    assert (judged.actor, judged.after) == (enrolment.assessor, {"met": True, "feedback": ""})
