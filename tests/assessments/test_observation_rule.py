"""The observation rule: only an observation recorded by the assessor counts, a remote one only supplements one
unless the specification says it counts, and the rule is the specification's (its assessment-rules block, or by
default every skill group)."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from assessments.selectors.met import countable_states
from assessments.services.judging import Decision, decide, save_judgements
from assessments.services.observations import record_observation
from portfolio.forms import EvidenceForm
from portfolio.models import Evidence
from portfolio.services import PortfolioError
from portfolio.services.evidence import submit_evidence
from portfolio.services.mappings import add_mapping
from tests.conftest import UNIT_V1_FIXTURE
from tests.factories import EnrolmentFactory, create_evidence_for, create_specification, method
from tests.factories.portfolio import EvidenceFactory
from units.models import Criterion, RangeItem, Specification
from units.services import import_specification_files


def line(specification: Specification, ref: str) -> tuple[Criterion, RangeItem | None]:
    """The criterion's line, or its first range item's (a test specification's criteria each have one)."""
    criterion = Criterion.objects.get(specification=specification, ref=ref)
    return criterion, criterion.range_items.order_by("position").first()


def map_to(evidence: Evidence, specification: Specification, *refs: str) -> None:
    for ref in refs:
        criterion, item = line(specification, ref)
        add_mapping(user=evidence.learner, evidence=evidence, criterion=criterion, range_item=item)


def judged_met_and_accepted(evidence: Evidence) -> Evidence:
    evidence.refresh_from_db()
    evidence = save_judgements(
        assessor=evidence.enrolment.assessor,
        evidence=evidence,
        version=evidence.version,
        decisions=[Decision(mapping_id=m.pk, met=True) for m in evidence.mappings.all()],
    )
    decide(
        assessor=evidence.enrolment.assessor,
        evidence=evidence,
        version=evidence.version,
        accept=True,
        feedback="",
    )
    return evidence


def state(enrolment, specification: Specification, ref: str):
    criterion, item = line(specification, ref)
    states = countable_states(enrolments=[enrolment], specification_ids=[specification.pk])
    return states[(enrolment.pk, specification.pk)][(criterion.pk, item.pk if item else None)]


def observe(enrolment, specification: Specification, ref: str, *, remote: bool = False) -> Evidence:
    return record_observation(
        assessor=enrolment.assessor,
        enrolment=enrolment,
        date="2026-10-02",
        setting="Riverside",
        observed="Chaired the team's plan review.",
        title="Observation",
        targets=[line(specification, ref)],
        remote=remote,
    )


def learners_own_observation(enrolment, specification: Specification, ref: str) -> Evidence:
    """OBS evidence the learner made themselves, with no files, as the old form let them: submitted, judged met
    and accepted."""
    evidence = EvidenceFactory(
        enrolment=enrolment, method=method(enrolment.centre, "OBS"), title="My observation"
    )
    map_to(evidence, specification, ref)
    submit_evidence(user=enrolment.learner, evidence=evidence, declaration=True)
    return judged_met_and_accepted(evidence)


@pytest.fixture
def enrolment(unit, standard):
    return EnrolmentFactory(specifications=[unit, standard])


def test_an_observation_the_learner_made_themselves_does_not_meet_a_skill_criterion(enrolment, unit):
    learners_own_observation(enrolment, unit, "3.1")
    found = state(enrolment, unit, "3.1")
    assert found.met is False
    assert "E1 was recorded by the learner, so it does not count." in found.reason


def test_an_observation_the_assessor_recorded_meets_a_skill_criterion(enrolment, unit):
    observe(enrolment, unit, "3.1")
    assert state(enrolment, unit, "3.1").met is True


def test_the_learner_cannot_add_evidence_as_a_direct_observation(enrolment):
    with pytest.raises(
        PortfolioError, match="is recorded by your assessor when they observe your practice"
    ) as refused:
        create_evidence_for(enrolment, method_code="OBS")
    assert set(refused.value.problems) == {"method"}
    assert not Evidence.objects.exists()


def test_the_learners_form_does_not_offer_the_observation_method(enrolment):
    offered = EvidenceForm(centre=enrolment.centre).fields["method"].queryset
    assert "OBS" not in {m.code for m in offered}
    assert {"RA", "WT"} <= {m.code for m in offered}


def test_the_review_screen_says_who_recorded_an_observation(client, enrolment, unit):
    observation = observe(enrolment, unit, "3.1")
    client.force_login(enrolment.assessor)
    page = client.get(reverse("assessments:review", args=[observation.pk])).content.decode()
    assert f"Observation recorded by {escape(enrolment.assessor.full_name)}, assessor, in person." in page


def test_the_review_screen_says_an_observation_the_learner_made_does_not_count(client, enrolment, unit):
    evidence = EvidenceFactory(enrolment=enrolment, method=method(enrolment.centre, "OBS"))
    client.force_login(enrolment.assessor)
    page = client.get(reverse("assessments:review", args=[evidence.pk])).content.decode()
    assert "Recorded by the learner, not by an assessor: it does not count as a direct observation." in page


def test_a_remote_observation_only_supplements_one_under_the_seed_units_rules(enrolment, unit):
    observe(enrolment, unit, "3.1", remote=True)
    found = state(enrolment, unit, "3.1")
    assert found.met is False
    assert found.reason == (
        "Judged met on E1, but the assessment rules of L/652/0848 v2 need a direct observation for LO3: an "
        "observation of practice recorded by the assessor must be among the evidence judged met. E1 was observed "
        "remotely, which only supplements one in person."
    )


def test_a_remote_observation_counts_where_the_specification_says_so(db):
    specification = create_specification(assessment_rules={"direct_observation": {"remote": "counts"}})
    enrolment = EnrolmentFactory(specifications=[specification])
    observe(enrolment, specification, "2.1", remote=True)
    assert state(enrolment, specification, "2.1").met is True


def test_without_the_block_the_rule_names_the_skill_based_outcome(db):
    (outcome,) = import_specification_files(paths=[UNIT_V1_FIXTURE])
    enrolment = EnrolmentFactory(specifications=[outcome.specification])
    evidence = create_evidence_for(enrolment)
    map_to(evidence, outcome.specification, "3.1")
    submit_evidence(user=enrolment.learner, evidence=evidence, declaration=True)
    judged_met_and_accepted(evidence)
    assert state(enrolment, outcome.specification, "3.1").reason.startswith(
        "Judged met on E1, but LO3 is skill-based, so it needs a direct observation: "
    )


def test_a_criterion_the_block_names_needs_an_observation_in_a_knowledge_outcome(db):
    specification = create_specification(assessment_rules={"direct_observation": {"criteria": ["1.2"]}})
    enrolment = EnrolmentFactory(specifications=[specification])
    evidence = create_evidence_for(enrolment)
    map_to(evidence, specification, "1.1", "1.2")
    submit_evidence(user=enrolment.learner, evidence=evidence, declaration=True)
    judged_met_and_accepted(evidence)
    assert state(enrolment, specification, "1.1").met is True
    assert state(enrolment, specification, "1.2").met is False
    assert "the assessment rules of T/000/0001 v1 need a direct observation for 1.2" in (
        state(enrolment, specification, "1.2").reason
    )


def test_a_standards_performance_criterion_needs_no_observation(enrolment, standard):
    evidence = create_evidence_for(enrolment)
    map_to(evidence, standard, "P6")
    submit_evidence(user=enrolment.learner, evidence=evidence, declaration=True)
    judged_met_and_accepted(evidence)
    assert state(enrolment, standard, "P6").met is True
