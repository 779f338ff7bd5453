"""Progress comes from one count of the recording form's lines: the home page, the enrolment page, the caseload and
the criterion matrix always give the same figures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.selectors.matrix import criterion_matrix
from assessments.selectors.met import progress_for
from assessments.services.observations import record_observation
from assessments.services.progress import refresh_progress
from portfolio.models import EvidenceMapping
from tests.factories import EnrolmentFactory, create_evidence_for, lines_of
from units.models import Criterion


def test_a_mapping_to_a_criterion_whose_range_items_count_apart_is_not_counted_as_a_line(client, unit):
    """A mapping to "1.1" as a whole (1.1 is met range item by range item) is not one of the form's lines; it once
    made the home page say "20 of 17 evidenced" where the matrix said 17 of 17."""
    enrolment = EnrolmentFactory(specifications=[unit])
    evidence = create_evidence_for(enrolment)
    whole = Criterion.objects.get(specification=unit, ref="1.1")
    EvidenceMapping.objects.create(evidence=evidence, criterion=whole, created_by=enrolment.learner)
    first_item = whole.range_items.order_by("position").first()
    EvidenceMapping.objects.create(
        evidence=evidence, criterion=whole, range_item=first_item, created_by=enrolment.learner
    )
    refresh_progress(enrolment_ids=[enrolment.pk])  # rows written past the services, as data loaded in bulk
    progress = progress_for([enrolment])[(enrolment.pk, unit.pk)]
    assert (progress.mapped, progress.total) == (1, len(lines_of(unit)))

    client.force_login(enrolment.learner)
    matrix = client.get(reverse("assessments:criterion_matrix", args=[enrolment.pk, unit.pk])).context[
        "matrix"
    ]
    home = client.get(reverse("assessments:home")).context["own"][0].specifications[0].progress
    assert home == matrix.progress == progress


@pytest.fixture
def enrolment_on_both(unit, standard):
    return EnrolmentFactory(specifications=[unit, standard])


def test_the_matrix_reads_only_the_judgements_of_the_specification_shown(enrolment_on_both, unit, standard):
    """A portfolio's judgements of the standard are not read to draw the unit's matrix (issue 15: the matrix read
    every judgement of the enrolment)."""
    observe = lines_of(standard)[:3]
    record_observation(
        assessor=enrolment_on_both.assessor, enrolment=enrolment_on_both, date="2026-10-01", setting="Riverside",
        observed="Led the handover.", title="Observation", targets=observe,
    )  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        criterion_matrix(enrolment=enrolment_on_both, specification=unit)
    (judgements,) = [q["sql"] for q in queries if 'FROM "assessments_judgement"' in q["sql"]]
    assert f'"units_criterion"."specification_id" IN ({unit.pk})' in judgements
