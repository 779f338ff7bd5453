"""The rules for creating, changing, mapping and submitting evidence, enforced by the services."""

import datetime

import pytest
from django.utils import timezone

from centres.models import Enrolment
from portfolio.models import Evidence, EvidenceMapping
from portfolio.services import PortfolioError
from portfolio.services.evidence import create_evidence, submit_evidence, update_evidence
from portfolio.services.mappings import add_mapping, remove_mapping
from tests.factories import CentreFactory, EnrolmentFactory, create_evidence_for, method
from units.models import Criterion, RangeItem


@pytest.fixture
def enrolment(unit, standard):
    return EnrolmentFactory(specifications=[unit, standard])


@pytest.fixture
def evidence(enrolment):
    return create_evidence_for(enrolment)


def criterion(specification, ref: str) -> Criterion:
    return Criterion.objects.get(specification=specification, ref=ref)


def range_item(specification, ref: str, item: str) -> RangeItem:
    return RangeItem.objects.get(criterion__specification=specification, criterion__ref=ref, ref=item)


def test_evidence_numbers_run_e1_e2_e3_for_each_learner(enrolment):
    other = EnrolmentFactory(centre=enrolment.centre, specifications=list(enrolment.specifications.all()))
    numbers = [create_evidence_for(enrolment).reference for _ in range(3)]
    assert numbers == ["E1", "E2", "E3"]
    assert create_evidence_for(other).reference == "E1"


def test_evidence_numbers_continue_across_a_learners_enrolments_in_a_centre(enrolment, unit):
    second = EnrolmentFactory(centre=enrolment.centre, learner=enrolment.learner, specifications=[unit])
    create_evidence_for(enrolment)
    assert create_evidence_for(second).reference == "E2"


def test_a_number_is_never_reused_after_its_evidence_is_deleted(enrolment):
    first = create_evidence_for(enrolment)
    Evidence.objects.filter(pk=first.pk).delete()
    assert create_evidence_for(enrolment).reference == "E2"


def test_the_same_form_posted_twice_makes_one_piece_of_evidence(enrolment):
    key = "6b1f0c3e-3f4e-4b7a-9c1d-2e8f7a6b5c4d"
    first = create_evidence_for(enrolment, form_key=key)
    again = create_evidence_for(enrolment, form_key=key)
    assert again.pk == first.pk
    assert Evidence.objects.count() == 1


def test_witness_testimony_needs_the_witness_name_and_role(enrolment):
    with pytest.raises(PortfolioError, match="Witness testimony needs the witness's job role.") as refused:
        create_evidence_for(enrolment, method_code="WT", witness_name="A. Manager")
    assert refused.value.problems == {"witness_role": "Witness testimony needs the witness's job role."}
    assert not Evidence.objects.exists()


def test_witness_testimony_with_its_witness_is_recorded(enrolment):
    evidence = create_evidence_for(
        enrolment,
        method_code="WT",
        witness_name="A. Manager",
        witness_role="Registered manager",
        witness_relationship="Line manager",
    )
    assert (evidence.witness_name, evidence.witness_role) == ("A. Manager", "Registered manager")


def test_evidence_cannot_be_dated_in_the_future(enrolment):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(PortfolioError, match="The evidence date cannot be in the future."):
        create_evidence_for(enrolment, date=tomorrow)


def test_another_centres_method_is_refused(enrolment):
    foreign = method(CentreFactory(), "RA")
    with pytest.raises(PortfolioError, match="RA is not an assessment method of"):
        create_evidence_for(enrolment, method=foreign)


def test_nobody_else_adds_evidence_to_a_learners_portfolio(enrolment):
    with pytest.raises(PortfolioError, match="Evidence can only be added to your own portfolio."):
        create_evidence(
            learner=enrolment.assessor,
            enrolment=enrolment,
            title="x",
            date=datetime.date(2026, 1, 1),
            method=method(enrolment.centre),
        )


def test_a_withdrawn_enrolment_takes_no_new_evidence(enrolment):
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.WITHDRAWN)
    enrolment.refresh_from_db()
    with pytest.raises(PortfolioError, match="This enrolment is withdrawn: no new evidence."):
        create_evidence_for(enrolment)


def test_learner_maps_evidence_across_both_specifications(evidence, unit, standard):
    add_mapping(user=evidence.learner, evidence=evidence, criterion=criterion(unit, "3.4"))
    add_mapping(user=evidence.learner, evidence=evidence, criterion=criterion(standard, "P6"))
    add_mapping(user=evidence.learner, evidence=evidence, criterion=criterion(standard, "K14"))
    assert sorted(m.label for m in evidence.mappings.all()) == ["3.4", "K14", "P6"]


def test_a_criterion_with_range_items_is_mapped_item_by_item(evidence, unit):
    with pytest.raises(
        PortfolioError, match=r"1.1 is met range item by range item: choose from a\), b\), c\), d\), e\)."
    ):
        add_mapping(user=evidence.learner, evidence=evidence, criterion=criterion(unit, "1.1"))
    mapping = add_mapping(
        user=evidence.learner,
        evidence=evidence,
        criterion=criterion(unit, "1.1"),
        range_item=range_item(unit, "1.1", "a"),
    )
    assert mapping.label == "1.1 a)"


def test_a_range_item_of_another_criterion_is_refused(evidence, unit):
    with pytest.raises(PortfolioError, match=r"Range item a\) is not part of 3.5."):
        add_mapping(
            user=evidence.learner,
            evidence=evidence,
            criterion=criterion(unit, "3.5"),
            range_item=range_item(unit, "1.1", "a"),
        )


def test_mapping_to_a_specification_the_learner_is_not_enrolled_on_is_refused(unit, standard):
    enrolment = EnrolmentFactory(specifications=[unit])
    evidence = create_evidence_for(enrolment)
    with pytest.raises(PortfolioError, match="P6 belongs to a specification this enrolment does not cover."):
        add_mapping(user=evidence.learner, evidence=evidence, criterion=criterion(standard, "P6"))
    assert not EvidenceMapping.objects.exists()


def test_mapping_the_same_criterion_twice_is_pointed_out(evidence, standard):
    add_mapping(user=evidence.learner, evidence=evidence, criterion=criterion(standard, "P6"))
    with pytest.raises(PortfolioError, match="E1 is already mapped to P6."):
        add_mapping(user=evidence.learner, evidence=evidence, criterion=criterion(standard, "P6"))
    assert evidence.mappings.count() == 1


def test_submission_needs_the_declaration(evidence, standard):
    add_mapping(user=evidence.learner, evidence=evidence, criterion=criterion(standard, "P6"))
    with pytest.raises(PortfolioError, match="Confirm that this is your own work before submitting."):
        submit_evidence(user=evidence.learner, evidence=evidence, declaration=False)
    evidence.refresh_from_db()
    assert evidence.status == Evidence.Status.DRAFT


def test_submission_needs_a_mapping(evidence):
    with pytest.raises(PortfolioError, match="Map the evidence to at least one criterion before submitting."):
        submit_evidence(user=evidence.learner, evidence=evidence, declaration=True)


def test_submission_needs_a_file_or_an_account(enrolment, standard):
    evidence = create_evidence_for(enrolment, narrative="  ")
    add_mapping(user=evidence.learner, evidence=evidence, criterion=criterion(standard, "P6"))
    with pytest.raises(PortfolioError, match="Add a file or a written account before submitting."):
        submit_evidence(user=evidence.learner, evidence=evidence, declaration=True)


def test_submission_records_who_declared_and_when(evidence, standard):
    add_mapping(user=evidence.learner, evidence=evidence, criterion=criterion(standard, "P6"))
    submitted = submit_evidence(user=evidence.learner, evidence=evidence, declaration=True)
    assert submitted.status == Evidence.Status.SUBMITTED
    assert submitted.declared_by == evidence.learner
    assert submitted.declared_at == submitted.submitted_at
    assert submitted.declared_at is not None


def test_referred_evidence_is_resubmitted(evidence, standard):
    add_mapping(user=evidence.learner, evidence=evidence, criterion=criterion(standard, "P6"))
    Evidence.objects.filter(pk=evidence.pk).update(status=Evidence.Status.REFERRED)
    assert submit_evidence(user=evidence.learner, evidence=evidence, declaration=True).status == "resubmitted"


@pytest.fixture
def submitted(evidence, standard):
    add_mapping(user=evidence.learner, evidence=evidence, criterion=criterion(standard, "P6"))
    return submit_evidence(user=evidence.learner, evidence=evidence, declaration=True)


def test_submitted_evidence_cannot_be_edited(submitted):
    with pytest.raises(
        PortfolioError, match="E1 is submitted: it cannot be changed until the assessor refers it back."
    ):
        update_evidence(
            user=submitted.learner,
            evidence=submitted,
            title="Changed",
            date=submitted.date,
            method=submitted.method,
        )
    submitted.refresh_from_db()
    assert submitted.title == "Reflective account of a care review"


def test_submitted_evidence_mappings_cannot_change(submitted, standard):
    with pytest.raises(PortfolioError, match="E1 is submitted"):
        add_mapping(user=submitted.learner, evidence=submitted, criterion=criterion(standard, "P7"))
    with pytest.raises(PortfolioError, match="E1 is submitted"):
        remove_mapping(user=submitted.learner, mapping=submitted.mappings.get())
    assert submitted.mappings.count() == 1


def test_only_the_learner_changes_their_evidence(evidence):
    with pytest.raises(PortfolioError, match="Only the learner can change their evidence."):
        update_evidence(
            user=evidence.enrolment.assessor,
            evidence=evidence,
            title="x",
            date=evidence.date,
            method=evidence.method,
        )
