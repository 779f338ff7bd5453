"""Progress comes from one count of the recording form's lines: the home page, the enrolment page, the caseload and
the criterion matrix always give the same figures."""

from django.urls import reverse

from assessments.selectors.met import progress_for
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
    progress = progress_for([enrolment])[(enrolment.pk, unit.pk)]
    assert (progress.mapped, progress.total) == (1, len(lines_of(unit)))

    client.force_login(enrolment.learner)
    matrix = client.get(reverse("assessments:criterion_matrix", args=[enrolment.pk, unit.pk])).context[
        "matrix"
    ]
    home = client.get(reverse("assessments:home")).context["own"][0].specifications[0].progress
    assert home == matrix.progress == progress
