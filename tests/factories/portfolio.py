"""Evidence: through the learner's services where numbering and rules matter, in bulk for large portfolios."""

import datetime
import hashlib
from typing import Any

import factory
from django.core.files.base import ContentFile

from centres.models import Enrolment
from portfolio.models import Evidence, EvidenceFile, EvidenceMapping, EvidenceSequence
from portfolio.services.evidence import create_evidence, submit_evidence
from portfolio.services.mappings import add_mapping
from tests.factories.centres import EnrolmentFactory, enrolment_on_a_unit, method
from units.models import Criterion, Specification


class EvidenceSequenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvidenceSequence

    centre = factory.LazyAttribute(lambda o: o.learner_enrolment.centre)
    learner = factory.LazyAttribute(lambda o: o.learner_enrolment.learner)
    last_number = 0

    class Params:
        learner_enrolment = factory.SubFactory(EnrolmentFactory)


class EvidenceFactory(factory.django.DjangoModelFactory):
    """A draft row with the learner's next number (bypassing the service: for tests of one row)."""

    class Meta:
        model = Evidence

    enrolment = factory.LazyFunction(enrolment_on_a_unit)
    centre = factory.SelfAttribute("enrolment.centre")
    learner = factory.SelfAttribute("enrolment.learner")
    number = factory.LazyAttribute(lambda o: Evidence.objects.filter(learner=o.learner).count() + 1)
    title = "Reflective account of a care review"
    date = factory.LazyFunction(lambda: datetime.date(2026, 10, 1))
    method = factory.LazyAttribute(lambda o: method(o.centre))
    narrative = "I led the review with the individual and their family."


PDF_BYTES = b"%PDF-1.4\n%factory\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class EvidenceFileFactory(factory.django.DjangoModelFactory):
    """A stored PDF of the evidence, with its real SHA-256."""

    class Meta:
        model = EvidenceFile
        exclude = ("content",)

    evidence = factory.SubFactory(EvidenceFactory)
    original_name = "account.pdf"
    content = PDF_BYTES
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name="upload.pdf"))
    size = factory.LazyAttribute(lambda o: len(o.content))
    content_type = "application/pdf"
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    uploaded_by = factory.SelfAttribute("evidence.learner")


class EvidenceMappingFactory(factory.django.DjangoModelFactory):
    """A mapping to the first line of the first specification the enrolment covers: its first criterion, or that
    criterion's first range item."""

    class Meta:
        model = EvidenceMapping

    evidence = factory.SubFactory(EvidenceFactory)
    criterion = factory.LazyAttribute(
        lambda o: (
            Criterion.objects.filter(specification__enrolments__enrolment=o.evidence.enrolment)
            .order_by("specification_id", "position")
            .first()
        )
    )
    range_item = factory.LazyAttribute(lambda o: o.criterion.range_items.order_by("position").first())
    created_by = factory.SelfAttribute("evidence.learner")


def create_evidence_for(enrolment: Enrolment, **details: Any) -> Evidence:
    """A draft through the real service, so it is numbered as a learner's would be."""
    fields = {
        "title": "Reflective account of a care review",
        "date": datetime.date(2026, 10, 1),
        "method": method(enrolment.centre, details.pop("method_code", "RA")),
        "narrative": "I led the review with the individual and their family.",
        **details,
    }
    return create_evidence(learner=enrolment.learner, enrolment=enrolment, **fields)


def lines_of(specification: Specification) -> list[tuple[Criterion, Any]]:
    """Every line of a specification's recording form: criteria without range items, and each range item."""
    criteria = Criterion.objects.filter(specification=specification).prefetch_related("range_items")
    return [(c, item) for c in criteria.order_by("position") for item in (c.range_items.all() or [None])]


def submitted_evidence(
    enrolment: Enrolment, targets: list[tuple[Criterion, Any]], **details: Any
) -> Evidence:
    """A learner's evidence mapped to `targets`, declared and submitted, as the learner would."""
    evidence = create_evidence_for(enrolment, **details)
    for criterion, range_item in targets:
        add_mapping(user=enrolment.learner, evidence=evidence, criterion=criterion, range_item=range_item)
    return submit_evidence(user=enrolment.learner, evidence=evidence, declaration=True)


def bulk_portfolio(enrolment: Enrolment, *, pieces: int, mappings: int) -> list[Evidence]:
    """A large portfolio in a few queries: `pieces` submitted items and `mappings` spread over the criteria and
    range items, the same number to each piece (E1 to the first lines, E2 to the next, and so on round)."""
    criteria = list(
        Criterion.objects.filter(specification__in=enrolment.specifications.all())
        .prefetch_related("range_items")
        .order_by("specification_id", "position")
    )
    targets = [(c, item) for c in criteria for item in (c.range_items.all() or [None])]
    ra = method(enrolment.centre)
    evidence = Evidence.objects.bulk_create(
        Evidence(
            enrolment=enrolment,
            centre=enrolment.centre,
            learner=enrolment.learner,
            number=number,
            title=f"Evidence {number}",
            date=datetime.date(2026, 10, 1),
            method=ra,
            narrative="Account",
            status=Evidence.Status.SUBMITTED,
        )
        for number in range(1, pieces + 1)
    )
    EvidenceSequence.objects.update_or_create(
        centre=enrolment.centre, learner=enrolment.learner, defaults={"last_number": pieces}
    )
    each = -(-mappings // pieces)  # per piece, rounded up
    pairs = [
        (piece, targets[(each * number + k) % len(targets)])
        for number, piece in enumerate(evidence)
        for k in range(each)
    ]
    EvidenceMapping.objects.bulk_create(
        EvidenceMapping(evidence=e, criterion=c, range_item=item, created_by=enrolment.learner)
        for e, (c, item) in pairs[:mappings]
    )
    return evidence
