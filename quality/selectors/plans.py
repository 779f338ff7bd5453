"""Reads for the sampling strategy, the plan page and the IV's dashboard, each in a fixed number of queries."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from centres.models import Centre, EnrolledSpecification, Enrolment, Membership
from quality.models import (
    Action,
    AssessorRisk,
    RiskLevel,
    Sample,
    SampleDecision,
    SamplingPlan,
    SamplingStrategy,
)
from quality.selectors.coverage import CoverageRow, coverage, stored_coverage
from quality.services.strategy import centre_assessors, strategy_for


@dataclass(frozen=True)
class StrategyPage:
    strategy: SamplingStrategy
    levels: dict[str, RiskLevel]
    assessors: list[tuple[User, AssessorRisk | None]]


def strategy_page(*, centre: Centre) -> StrategyPage:
    strategy = strategy_for(centre)
    levels = {level.rating: level for level in strategy.levels.all()}
    risks = {risk.assessor_id: risk for risk in strategy.assessor_risks.all()}
    return StrategyPage(
        strategy=strategy,
        levels=levels,
        assessors=[(assessor, risks.get(assessor.pk)) for assessor in centre_assessors(centre)],
    )


def plan_samples(plan: SamplingPlan) -> QuerySet[Sample]:
    """The plan's samples in its order, with what a row of the plan shows (the page pages them)."""
    return plan.samples.select_related(
        "enrolment__learner", "specification", "group", "assessor", "decision"
    ).order_by("position", "pk")


@dataclass(frozen=True)
class PlanPage:
    plan: SamplingPlan
    samples: QuerySet[Sample]
    planned: int
    decided: int
    coverage: list[CoverageRow]


def plan_page(*, plan: SamplingPlan) -> PlanPage:
    """The plan's samples (to page), how many are decided, and its coverage (from the samples' keys only)."""
    counts = plan.samples.aggregate(planned=Count("pk"), decided=Count("decision"))
    return PlanPage(
        plan=plan,
        samples=plan_samples(plan),
        planned=counts["planned"],
        decided=counts["decided"],
        coverage=coverage(plan),
    )


def sample_choices(plan: SamplingPlan) -> list[tuple[str, str]]:
    """Learner units the plan's IV may add by hand, as `enrolment:specification`."""
    rows = (
        EnrolledSpecification.objects.filter(
            enrolment__centre_id=plan.centre_id,
            enrolment__status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED],
            enrolment__assessor__isnull=False,
        )
        .exclude(enrolment__assessor_id=plan.internal_verifier_id)
        .exclude(enrolment__learner_id=plan.internal_verifier_id)
        .select_related("enrolment__learner", "specification")
        .order_by("enrolment__learner__full_name", "enrolment_id", "position")
    )
    return [
        (
            f"{row.enrolment_id}:{row.specification_id}",
            f"{row.enrolment.learner.full_name}: {row.specification.code}",
        )
        for row in rows
    ]


@dataclass(frozen=True)
class AssessorAgreement:
    assessor: User
    decided: int
    agreed: int

    @property
    def rate(self) -> int:
        return round(100 * self.agreed / self.decided) if self.decided else 0


@dataclass(frozen=True)
class Dashboard:
    plans: Sequence[SamplingPlan]
    coverage: list[CoverageRow]
    agreement: list[AssessorAgreement]
    actions: list[Action]
    centres: list[Centre]
    today: datetime.date

    @property
    def overdue(self) -> list[Action]:
        return [action for action in self.actions if action.is_overdue]


def _agreement(user: User) -> list[AssessorAgreement]:
    rows = (
        SampleDecision.objects.filter(sample__plan__internal_verifier=user)
        .values("sample__assessor_id")
        .annotate(decided=Count("pk"), agreed=Count("pk", filter=Q(agrees=True)))
        .order_by()
    )
    counts = {row["sample__assessor_id"]: row for row in rows}
    return [
        AssessorAgreement(assessor=a, decided=counts[a.pk]["decided"], agreed=counts[a.pk]["agreed"])
        for a in User.objects.filter(pk__in=list(counts)).order_by("full_name")
    ]


def dashboard(*, user: User) -> Dashboard:
    """An IV's plans with progress, the latest plan's coverage, agreement by assessor, actions not closed."""
    plans = list(
        SamplingPlan.objects.filter(internal_verifier=user)
        .select_related("centre", "internal_verifier")
        .annotate(
            planned=Count("samples", distinct=True),
            decided=Count("samples__decision", distinct=True),
        )
        .order_by("-period_start", "-pk")
    )
    actions = list(
        Action.objects.filter(sample__plan__internal_verifier=user)
        .exclude(status=Action.Status.CLOSED)
        .select_related("owner", "sample__enrolment__learner", "sample__specification")
        .order_by("due_on", "pk")
    )
    centres = list(
        Centre.objects.filter(
            memberships__user=user, memberships__role=Membership.Role.INTERNAL_VERIFIER
        ).order_by("name")
    )
    return Dashboard(
        plans=plans,
        coverage=stored_coverage(plans[0]) if plans else [],
        agreement=_agreement(user),
        actions=actions,
        centres=centres,
        today=timezone.localdate(),
    )
