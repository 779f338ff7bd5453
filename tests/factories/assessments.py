"""Assessors' decisions and signatures: single rows for tests of one part, and whole portfolios judged in bulk."""

import factory
from django.utils import timezone

from assessments.models import Judgement, JudgementReopening, Review, RoundFeedback, SignOff, SignOffVoid
from assessments.services.signatures import covered_record, digest_of
from centres.models import Enrolment
from portfolio.models import EvidenceMapping
from tests.factories.centres import enrolment_on_a_unit
from tests.factories.portfolio import EvidenceFactory, EvidenceMappingFactory


class ReviewFactory(factory.django.DjangoModelFactory):
    """A closed round: the evidence accepted by its enrolment's assessor."""

    class Meta:
        model = Review

    evidence = factory.SubFactory(EvidenceFactory)
    round = 1
    decision = Review.Decision.ACCEPTED
    assessor = factory.SelfAttribute("evidence.enrolment.assessor")
    decided_at = factory.LazyFunction(timezone.now)


class JudgementFactory(factory.django.DjangoModelFactory):
    """A mapping judged met in round 1 by the enrolment's assessor."""

    class Meta:
        model = Judgement

    mapping = factory.SubFactory(EvidenceMappingFactory)
    evidence = factory.SelfAttribute("mapping.evidence")
    round = 1
    met = True
    assessor = factory.SelfAttribute("mapping.evidence.enrolment.assessor")
    judged_at = factory.LazyFunction(timezone.now)


class JudgementReopeningFactory(factory.django.DjangoModelFactory):
    """The internal verifier's disagreement with a judgement: it no longer counts until judged again."""

    class Meta:
        model = JudgementReopening

    judgement = factory.SubFactory(JudgementFactory)
    reopened_by = factory.SelfAttribute("judgement.evidence.enrolment.internal_verifier")
    reopened_at = factory.LazyFunction(timezone.now)
    reason = "IV disagreement on a sample"


class RoundFeedbackFactory(factory.django.DjangoModelFactory):
    """The overall feedback typed on submitted evidence's open round, saved but not yet sent."""

    class Meta:
        model = RoundFeedback

    evidence = factory.SubFactory(EvidenceFactory, status="submitted")
    round = 1
    text = "Well done."
    assessor = factory.SelfAttribute("evidence.enrolment.assessor")
    saved_at = factory.LazyFunction(timezone.now)


class SignOffFactory(factory.django.DjangoModelFactory):
    """The learner's signature on the first specification the enrolment covers, over what it covers now."""

    class Meta:
        model = SignOff

    enrolment = factory.LazyFunction(enrolment_on_a_unit)
    specification = factory.LazyAttribute(lambda o: o.enrolment.specifications.order_by("pk").first())
    role = SignOff.Role.LEARNER
    signer = factory.SelfAttribute("enrolment.learner")
    name_printed = factory.SelfAttribute("signer.full_name")
    signed_at = factory.LazyFunction(timezone.now)
    covered = factory.LazyAttribute(
        lambda o: covered_record(enrolment=o.enrolment, specification=o.specification)
    )
    digest = factory.LazyAttribute(lambda o: digest_of(o.covered))


class SignOffVoidFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignOffVoid

    signature = factory.SubFactory(SignOffFactory)
    voided_by = factory.SelfAttribute("signature.enrolment.assessor")
    voided_at = factory.LazyFunction(timezone.now)
    reason = "Reopened to look again at 1.1"


def judged_met(enrolment: Enrolment) -> list[Judgement]:
    """Every mapping of the enrolment's evidence judged met in round 1 by its assessor, in two queries."""
    now = timezone.now()
    return Judgement.objects.bulk_create(
        Judgement(
            mapping=mapping,
            evidence_id=mapping.evidence_id,
            round=1,
            met=True,
            assessor=enrolment.assessor,
            judged_at=now,
        )
        for mapping in EvidenceMapping.objects.filter(evidence__enrolment=enrolment).order_by("pk")
    )
