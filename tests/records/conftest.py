"""Portfolios at the two ends a record is made at: still in progress, and completion confirmed by the IV."""

import io
from typing import Any

import pytest

from assessments.services.judging import Decision, save_judgements
from centres.models import Enrolment, Membership
from portfolio.models import Evidence
from portfolio.services import files
from portfolio.services.evidence import submit_evidence
from portfolio.services.mappings import add_mapping
from portfolio.uploads import check_file
from quality.models import Sample
from tests.assessments.test_assessment_rules import accept
from tests.factories import CentreFactory, EnrolmentFactory, create_evidence_for, lines_of, member
from tests.quality.test_iqa_samples import admin_check, complete, decide, make_sample, signed_unit
from tests.samples import PDF, PNG


def documented_evidence(
    enrolment: Enrolment, targets: list[tuple[Any, Any]], *, title: str, name: str, content: bytes
) -> Evidence:
    """A learner's evidence with one uploaded file, mapped to `targets`, declared and submitted."""
    evidence = create_evidence_for(enrolment, title=title)
    outcomes = files.add_files(
        user=enrolment.learner, evidence=evidence, uploads=[check_file(io.BytesIO(content), name=name)]
    )
    assert all(outcome.ok for outcome in outcomes), outcomes
    for criterion, range_item in targets:
        add_mapping(user=enrolment.learner, evidence=evidence, criterion=criterion, range_item=range_item)
    return submit_evidence(user=enrolment.learner, evidence=evidence, declaration=True)


def judged_met_and_accepted(evidence: Evidence) -> Evidence:
    """The assessor judges every mapping of the evidence met, then accepts it."""
    evidence.refresh_from_db()
    save_judgements(
        assessor=evidence.enrolment.assessor,
        evidence=evidence,
        version=evidence.version,
        decisions=[Decision(mapping_id=m.pk, met=True) for m in evidence.mappings.all()],
    )
    accept(evidence)
    evidence.refresh_from_db()
    return evidence


def named_enrolment(specification: Any) -> Enrolment:
    """An enrolment whose people have names a test can look for in a record."""
    centre = CentreFactory(name="Riverside Care Academy")
    return EnrolmentFactory(
        centre=centre,
        specifications=[specification],
        learner=member(centre, Membership.Role.LEARNER, full_name="Amara Okafor"),
        assessor=member(centre, Membership.Role.ASSESSOR, full_name="Brendan Walsh"),
        internal_verifier=member(centre, Membership.Role.INTERNAL_VERIFIER, full_name="Catherine Lloyd"),
    )


def in_progress_portfolio(specification: Any) -> Enrolment:
    """E1 (a PDF) meets the first three lines; E2 (a photo) is mapped to the next two and awaits the assessor;
    nothing is signed."""
    enrolment = named_enrolment(specification)
    lines = lines_of(specification)
    first = documented_evidence(
        enrolment,
        lines[:3],
        title="Reflective account of a review",
        name="reflective-account.pdf",
        content=PDF,
    )
    judged_met_and_accepted(first)
    documented_evidence(
        enrolment, lines[3:5], title="Anonymised care plan", name="care-plan.png", content=PNG
    )
    return enrolment


def completed_portfolio(specification: Any) -> Enrolment:
    """E1 (a PDF) meets the first five lines; an observation (E2) meets every line; learner and assessor sign, a
    summative sample is agreed, the admin check is recorded and completion confirmed."""
    enrolment = named_enrolment(specification)
    first = documented_evidence(
        enrolment,
        lines_of(specification)[:5],
        title="Reflective account of a review",
        name="reflective-account.pdf",
        content=PDF,
    )
    judged_met_and_accepted(first)
    signed_unit(enrolment, specification)
    decide(make_sample(enrolment, specification, kind=Sample.Kind.SUMMATIVE))
    admin_check(enrolment, specification)
    complete(enrolment, specification)
    return enrolment


@pytest.fixture
def completed_unit(unit, media) -> Enrolment:
    """The RQF unit L/652/0848, completion confirmed."""
    return completed_portfolio(unit)


@pytest.fixture
def completed_standard(standard, media) -> Enrolment:
    """The NOS SCDLMCB2, completion confirmed."""
    return completed_portfolio(standard)


@pytest.fixture
def unit_in_progress(unit, media) -> Enrolment:
    return in_progress_portfolio(unit)


@pytest.fixture
def standard_in_progress(standard, media) -> Enrolment:
    return in_progress_portfolio(standard)


@pytest.fixture
def made(django_capture_on_commit_callbacks):
    """Start an export and let the worker (here the immediate backend) make it once the request commits."""

    def make(start: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            export = start(**kwargs)
        export.refresh_from_db()
        return export

    return make


@pytest.fixture
def plain_records(monkeypatch):
    """A one-line PDF in place of the rendered completion record, for tests of who may do what and of the
    export's progress: they do not read the record, and rendering it each time would cost seconds a test."""

    def plain_pdf(*, enrolment: Enrolment, specification: Any) -> bytes:
        return PDF.replace(b"/Count 0", f"/Count 0 /Note (record of {specification.code})".encode())

    monkeypatch.setattr("records.exports.completion_record_pdf", plain_pdf)
    monkeypatch.setattr("records.views.completion_record_pdf", plain_pdf)
    monkeypatch.setattr("records.pdf.completion_record_pdf", plain_pdf)
