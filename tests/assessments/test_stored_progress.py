"""Progress is stored per enrolled specification (lines, lines with evidence, lines met) so that every list reads
it at no cost; after each kind of change the stored figures equal what the judgements say (`progress_for`), and
`recompute_progress` puts them right after data loaded in bulk."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessments.selectors.met import progress_for
from assessments.services.judging import Decision, add_mapping, decide, remove_mapping, save_judgements
from assessments.services.signatures import reopen, sign_off
from centres.models import EnrolledSpecification, Enrolment
from centres.services.enrolments import update_enrolment
from portfolio.models import Evidence
from portfolio.services import mappings as learner_mappings
from quality.services.samples import decide_sample
from tests.factories import DEFAULT_PASSWORD, EnrolmentFactory, create_evidence_for, lines_of
from tests.factories.assessments import judged_met
from tests.factories.portfolio import bulk_portfolio, submitted_evidence
from tests.quality.test_iqa_samples import ALL_VACS, make_sample, observe_everything


def stored(enrolment: Enrolment) -> dict[int, tuple[int, int, int]]:
    return {
        enrolled.specification_id: (enrolled.lines, enrolled.evidenced, enrolled.met)
        for enrolled in EnrolledSpecification.objects.filter(enrolment=enrolment)
    }


def computed(enrolment: Enrolment) -> dict[int, tuple[int, int, int]]:
    progress = progress_for(
        [Enrolment.objects.prefetch_related("enrolled_specifications").get(pk=enrolment.pk)]
    )
    return {
        spec_id: (figures.total, figures.mapped, figures.met) for (_, spec_id), figures in progress.items()
    }


def assert_moved_and_stored_as_computed(
    enrolment: Enrolment, before: dict[int, tuple[int, int, int]]
) -> None:
    """The change moved the figures (so the test can fail), and what is stored is what the judgements say."""
    assert stored(enrolment) != before
    assert stored(enrolment) == computed(enrolment)


@pytest.fixture
def enrolment(unit):
    return EnrolmentFactory(specifications=[unit])


def judge_all(evidence: Evidence, met: bool = True) -> Evidence:
    decisions = [Decision(mapping.pk, met, "" if met else "Say more.") for mapping in evidence.mappings.all()]
    return save_judgements(
        assessor=evidence.enrolment.assessor, evidence=evidence, version=evidence.version, decisions=decisions
    )


def test_an_enrolment_stores_how_many_lines_its_specifications_have(enrolment, unit):
    assert stored(enrolment) == {unit.pk: (len(lines_of(unit)), 0, 0)} == computed(enrolment)


def test_a_specification_added_to_an_enrolment_stores_its_lines(enrolment, standard):
    before = stored(enrolment)
    update_enrolment(enrolment=enrolment, specifications=[*enrolment.specifications.all(), standard])
    assert_moved_and_stored_as_computed(enrolment, before)


def test_a_learners_mapping_added_then_removed_moves_what_has_evidence(enrolment, unit):
    evidence = create_evidence_for(enrolment)
    before = stored(enrolment)
    criterion, item = lines_of(unit)[0]
    mapping = learner_mappings.add_mapping(
        user=enrolment.learner, evidence=evidence, criterion=criterion, range_item=item
    )
    assert_moved_and_stored_as_computed(enrolment, before)

    before = stored(enrolment)
    learner_mappings.remove_mapping(user=enrolment.learner, mapping=mapping)
    assert_moved_and_stored_as_computed(enrolment, before)


def test_accepting_judged_evidence_moves_what_is_met(enrolment, unit):
    evidence = judge_all(submitted_evidence(enrolment, lines_of(unit)[:3]))
    before = stored(enrolment)
    decide(assessor=enrolment.assessor, evidence=evidence, version=evidence.version, accept=True, feedback="")
    assert_moved_and_stored_as_computed(enrolment, before)


def test_judging_accepted_evidence_again_after_reopening_moves_what_is_met(enrolment, unit):
    evidence = judge_all(submitted_evidence(enrolment, lines_of(unit)[:3]))
    decide(assessor=enrolment.assessor, evidence=evidence, version=evidence.version, accept=True, feedback="")
    sample = make_sample(enrolment, unit)
    before = stored(enrolment)
    decide_sample(
        iv=enrolment.internal_verifier, sample=sample, agrees=False, vacs=ALL_VACS,
        feedback="2.1 is not shown by this evidence.", judgements=list(evidence.judgements.all()), actions=[],
    )  # fmt: skip
    assert_moved_and_stored_as_computed(enrolment, before)


def test_the_assessors_mapping_added_then_removed_moves_what_has_evidence(enrolment, unit):
    evidence = submitted_evidence(enrolment, lines_of(unit)[:1])
    criterion, item = lines_of(unit)[5]
    before = stored(enrolment)
    mapping = add_mapping(
        assessor=enrolment.assessor,
        evidence=evidence,
        version=evidence.version,
        criterion=criterion,
        range_item=item,
    )
    assert_moved_and_stored_as_computed(enrolment, before)

    evidence.refresh_from_db()
    before = stored(enrolment)
    remove_mapping(assessor=enrolment.assessor, mapping=mapping, version=evidence.version)
    assert_moved_and_stored_as_computed(enrolment, before)


def test_an_observation_moves_what_has_evidence_and_is_met(enrolment, unit):
    before = stored(enrolment)
    observe_everything(enrolment, unit)
    assert_moved_and_stored_as_computed(enrolment, before)
    assert stored(enrolment)[unit.pk] == (len(lines_of(unit)),) * 3


def test_signing_off_and_reopening_keep_the_figures_as_the_judgements_say(enrolment, unit):
    observe_everything(enrolment, unit)
    for signer in (enrolment.learner, enrolment.assessor):
        sign_off(user=signer, enrolment=enrolment, specification=unit, password=DEFAULT_PASSWORD)
    assert stored(enrolment) == computed(enrolment)
    reopen(user=enrolment.assessor, enrolment=enrolment, specification=unit, reason="Look again at 1.1")
    assert stored(enrolment) == computed(enrolment)


def test_recompute_progress_finds_and_corrects_figures_of_data_loaded_in_bulk(enrolment, unit):
    bulk_portfolio(enrolment, pieces=3, mappings=6)
    judged_met(enrolment)
    Evidence.objects.filter(enrolment=enrolment).update(status=Evidence.Status.ACCEPTED)
    errors = StringIO()

    with pytest.raises(CommandError, match="1 stored progress figure"):
        call_command("recompute_progress", "--check", stderr=errors)
    assert f"{unit.code}: stored 0 of {len(lines_of(unit))} met" in errors.getvalue()

    out = StringIO()
    call_command("recompute_progress", stdout=out)
    assert "1 figure(s) corrected" in out.getvalue()
    assert stored(enrolment) == computed(enrolment) != {unit.pk: (len(lines_of(unit)), 0, 0)}
    call_command("recompute_progress", "--check", stdout=StringIO())
