"""Internal quality assurance: strategies, plans, samples, decisions and actions, as single rows."""

import datetime

import factory
from django.utils import timezone

from centres.models import Membership
from quality.models import (
    Action,
    AssessorRisk,
    Rating,
    RiskLevel,
    Sample,
    SampleDecision,
    SamplingPlan,
    SamplingStrategy,
)
from tests.factories.centres import CentreFactory, enrolment_on_a_unit, member


class SamplingStrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SamplingStrategy

    centre = factory.SubFactory(CentreFactory)


class RiskLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskLevel

    strategy = factory.SubFactory(SamplingStrategyFactory)
    rating = Rating.HIGH
    learners_percent = 100
    units_percent = 100


class AssessorRiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessorRisk

    strategy = factory.SubFactory(SamplingStrategyFactory)
    assessor = factory.LazyAttribute(lambda o: member(o.strategy.centre, Membership.Role.ASSESSOR))
    rating = Rating.LOW
    reason = "Qualified and experienced"


class SamplingPlanFactory(factory.django.DjangoModelFactory):
    """A year's plan of an IV of the centre, from 1 December 2026."""

    class Meta:
        model = SamplingPlan

    centre = factory.SubFactory(CentreFactory)
    internal_verifier = factory.LazyAttribute(lambda o: member(o.centre, Membership.Role.INTERNAL_VERIFIER))
    period_start = datetime.date(2026, 12, 1)
    period_end = datetime.date(2027, 12, 1)
    seed = factory.Sequence(int)
    generated_by = factory.SelfAttribute("internal_verifier")


class SampleFactory(factory.django.DjangoModelFactory):
    """An interim sample, by hand, of the first specification of an enrolment at the plan's centre."""

    class Meta:
        model = Sample

    plan = factory.SubFactory(SamplingPlanFactory)
    enrolment = factory.LazyAttribute(lambda o: enrolment_on_a_unit(centre=o.plan.centre))
    specification = factory.LazyAttribute(lambda o: o.enrolment.specifications.order_by("pk").first())
    assessor = factory.SelfAttribute("enrolment.assessor")
    kind = Sample.Kind.INTERIM
    reason = "Added by hand"
    added_by_hand = True
    position = factory.Sequence(int)


class SampleDecisionFactory(factory.django.DjangoModelFactory):
    """The plan's IV agreeing with the assessor, every VACS box ticked."""

    class Meta:
        model = SampleDecision

    sample = factory.SubFactory(SampleFactory)
    internal_verifier = factory.SelfAttribute("sample.plan.internal_verifier")
    agrees = True
    valid = True
    authentic = True
    current = True
    sufficient = True
    feedback = "Clear, well-evidenced decisions."
    decided_at = factory.LazyFunction(timezone.now)


class ActionFactory(factory.django.DjangoModelFactory):
    """An open action for the sample's assessor, due in a week."""

    class Meta:
        model = Action

    sample = factory.SubFactory(SampleFactory)
    owner = factory.SelfAttribute("sample.assessor")
    set_by = factory.SelfAttribute("sample.plan.internal_verifier")
    text = "Give written feedback on every criterion judged not yet met."
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
