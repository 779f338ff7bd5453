"""Internal quality assurance: the centre's sampling strategy, IVs' sampling plans and their CAMERA coverage.

Services change state (one transaction each, audited); selectors read in a fixed number of queries. A plan is
generated reproducibly from a stored seed: the same seed and the same data give the same samples.
"""

import datetime
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from accounts.models import User
from assessments.models import (
    Action,
    AssessorRisk,
    Judgement,
    Rating,
    RiskLevel,
    Sample,
    SampleDecision,
    SamplingPlan,
    SamplingStrategy,
    SignOff,
)
from assessments.services import AssessmentError
from audit.services import person, record
from portfolio.models import Centre, EnrolledSpecification, Enrolment, Evidence, Membership
from units.models import Group, Specification

DEFAULT_LEVELS = {Rating.HIGH: (100, 100), Rating.MEDIUM: (50, 50), Rating.LOW: (20, 20)}
RATING_ORDER = [Rating.HIGH, Rating.MEDIUM, Rating.LOW]
RISK_WORDS = {Rating.HIGH: "High-risk", Rating.MEDIUM: "Medium-risk", Rating.LOW: "Low-risk"}
NEW_CANDIDATE_DAYS = 92  # "started within the last 3 months"


# Strategy


def strategy_for(centre: Centre) -> SamplingStrategy:
    """The centre's strategy, created with the usual defaults on first use (high 100/100, medium 50/50,
    low 20/20, 60% interim, 12 months)."""
    with transaction.atomic():
        strategy, created = SamplingStrategy.objects.get_or_create(centre=centre)
        if created:
            RiskLevel.objects.bulk_create(
                RiskLevel(strategy=strategy, rating=rating, learners_percent=learners, units_percent=units)
                for rating, (learners, units) in DEFAULT_LEVELS.items()
            )
    return strategy


def centre_assessors(centre: Centre) -> list[User]:
    """Everyone holding the assessor role in the centre, by name."""
    return list(
        User.objects.filter(memberships__centre=centre, memberships__role=Membership.Role.ASSESSOR).order_by(
            "full_name", "pk"
        )
    )


@dataclass
class StrategyPage:
    strategy: SamplingStrategy
    levels: dict[str, RiskLevel]
    assessors: list[tuple[User, AssessorRisk | None]]


def strategy_context(*, centre: Centre) -> StrategyPage:
    strategy = strategy_for(centre)
    levels = {level.rating: level for level in strategy.levels.all()}
    risks = {risk.assessor_id: risk for risk in strategy.assessor_risks.all()}
    return StrategyPage(
        strategy=strategy,
        levels=levels,
        assessors=[(assessor, risks.get(assessor.pk)) for assessor in centre_assessors(centre)],
    )


def _check_percent(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        raise AssessmentError(f"{name} must be a whole number from 0 to 100 (got {value!r}).")
    return value


def _strategy_state(strategy: SamplingStrategy) -> dict[str, Any]:
    return {
        "period_months": strategy.period_months,
        "interim_percent": strategy.interim_percent,
        "levels": {
            level.rating: [level.learners_percent, level.units_percent] for level in strategy.levels.all()
        },
        "ratings": {
            str(risk.assessor_id): [risk.rating, risk.reason] for risk in strategy.assessor_risks.all()
        },
    }


def update_strategy(
    *,
    centre: Centre,
    by: User,
    period_months: int,
    interim_percent: int,
    levels: dict[str, tuple[int, int]],
    ratings: dict[int, tuple[str, str]],
) -> SamplingStrategy:
    """Save the centre's strategy as a whole: every assessor rated, every percentage from 0 to 100."""
    if not isinstance(period_months, int) or not 1 <= period_months <= 60:
        raise AssessmentError(f"Period must be from 1 to 60 months (got {period_months!r}).")
    _check_percent(interim_percent, "Interim share")
    for rating in RATING_ORDER:
        if rating not in levels:
            raise AssessmentError(f"Say how much is sampled for {rating.label.lower()} risk.")
        learners, units = levels[rating]
        _check_percent(learners, f"{rating.label}: learners sampled")
        _check_percent(units, f"{rating.label}: units sampled")
    assessors = centre_assessors(centre)
    known = {assessor.pk for assessor in assessors}
    for assessor in assessors:
        rating, _reason = ratings.get(assessor.pk, ("", ""))
        if rating not in Rating.values:
            name = assessor.full_name or assessor.email
            raise AssessmentError(f"No rating for {name}: choose high, medium or low.")
    strangers = set(ratings) - known
    if strangers:
        raise AssessmentError("Only assessors of this centre are rated: reload the page and try again.")
    with transaction.atomic():
        strategy = SamplingStrategy.objects.select_for_update().get(pk=strategy_for(centre).pk)
        before = _strategy_state(strategy)
        strategy.period_months = period_months
        strategy.interim_percent = interim_percent
        strategy.updated_by = by
        strategy.save()
        for rating in RATING_ORDER:
            learners, units = levels[rating]
            RiskLevel.objects.update_or_create(
                strategy=strategy,
                rating=rating,
                defaults={"learners_percent": learners, "units_percent": units},
            )
        strategy.assessor_risks.exclude(assessor_id__in=known).delete()
        for assessor_id in known:
            rating, reason = ratings[assessor_id]
            AssessorRisk.objects.update_or_create(
                strategy=strategy,
                assessor_id=assessor_id,
                defaults={"rating": rating, "reason": (reason or "").strip()[:300]},
            )
        after = _strategy_state(strategy)
        record(
            actor=by,
            action="iqa.strategy_updated",
            summary=f"Sampling strategy of {centre.name} updated",
            subject=strategy,
            centre=centre,
            before=before,
            after=after,
        )
    return strategy


# What there is to sample


@dataclass
class Facts:
    """What judged evidence there is in one learning outcome/heading of a learner's unit."""

    methods: set[str] = field(default_factory=set)
    sites: set[str] = field(default_factory=set)


@dataclass
class Pool:
    """Everything an IV may sample at a centre, read in a fixed number of queries."""

    enrolments: list[Enrolment]
    specifications: dict[int, list[Specification]]  # per enrolment, in enrolment order
    judged: dict[tuple[int, int], dict[int, Facts]]  # (enrolment, specification) -> group -> facts
    signed: set[tuple[int, int]]
    stages: dict[int, str]
    groups: dict[int, Group]
    method_labels: dict[str, str]

    def enrolment(self, pk: int) -> Enrolment:
        return self._by_pk[pk]

    def __post_init__(self) -> None:
        self._by_pk = {e.pk: e for e in self.enrolments}


STAGES = {
    "new": "New candidates",
    "in_progress": "Candidates in progress",
    "complete": "Completed candidates",
}


def _pool(*, centre: Centre, internal_verifier: User) -> Pool:
    """Enrolments an IV may sample: active or completed, with an assessor other than the IV, on at least one
    specification; and the judged evidence in them, leaving out any judgement the IV made."""
    enrolments = list(
        Enrolment.objects.filter(
            centre=centre,
            status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED],
            assessor__isnull=False,
        )
        .exclude(assessor=internal_verifier)
        .exclude(learner=internal_verifier)
        .select_related("learner", "assessor")
        .order_by("pk")
    )
    ids = [e.pk for e in enrolments]
    specifications: dict[int, list[Specification]] = defaultdict(list)
    for enrolled in (
        EnrolledSpecification.objects.filter(enrolment_id__in=ids)
        .select_related("specification")
        .order_by("enrolment_id", "position", "pk")
    ):
        specifications[enrolled.enrolment_id].append(enrolled.specification)
    enrolments = [e for e in enrolments if specifications.get(e.pk)]
    ids = [e.pk for e in enrolments]
    judged: dict[tuple[int, int], dict[int, Facts]] = defaultdict(dict)
    method_labels: dict[str, str] = {}
    rows = (
        Judgement.objects.filter(evidence__enrolment_id__in=ids)
        .exclude(assessor=internal_verifier)
        .values_list(
            "evidence__enrolment_id",
            "mapping__criterion__specification_id",
            "mapping__criterion__group_id",
            "evidence__method__code",
            "evidence__method__label",
            "evidence__assessment_site",
        )
        .order_by()
        .distinct()
    )
    for enrolment_id, spec_id, group_id, code, label, site in rows:
        facts = judged[(enrolment_id, spec_id)].setdefault(group_id, Facts())
        facts.methods.add(code)
        method_labels[code] = label
        if site.strip():
            facts.sites.add(site.strip())
    signed = set(
        SignOff.objects.filter(enrolment_id__in=ids, role=SignOff.Role.ASSESSOR, voided_at=None).values_list(
            "enrolment_id", "specification_id"
        )
    )
    accepted = set(
        Evidence.objects.filter(enrolment_id__in=ids, status=Evidence.Status.ACCEPTED)
        .values_list("enrolment_id", flat=True)
        .order_by()
        .distinct()
    )
    group_ids = {g for per_group in judged.values() for g in per_group}
    groups = {g.pk: g for g in Group.objects.filter(pk__in=group_ids).select_related("specification")}
    recent = timezone.localdate() - datetime.timedelta(days=NEW_CANDIDATE_DAYS)
    stages = {}
    for enrolment in enrolments:
        if enrolment.status == Enrolment.Status.COMPLETED or all(
            (enrolment.pk, s.pk) in signed for s in specifications[enrolment.pk]
        ):
            stages[enrolment.pk] = "complete"
        elif enrolment.start_date > recent or enrolment.pk not in accepted:
            stages[enrolment.pk] = "new"
        else:
            stages[enrolment.pk] = "in_progress"
    return Pool(
        enrolments=enrolments,
        specifications=dict(specifications),
        judged=dict(judged),
        signed=signed,
        stages=stages,
        groups=groups,
        method_labels=method_labels,
    )


Item = tuple[str, Any]  # (dimension, key): ("A", assessor id), ("M", "WT"), ("L", group id), …
Target = tuple[int, int, int | None]  # (enrolment, specification, group or None for the whole unit)
DIMENSIONS = [
    ("C", "Candidates"),
    ("A", "Assessors"),
    ("M", "Methods"),
    ("E", "Evidence: units"),
    ("L", "Evidence: learning outcomes and headings"),
    ("R", "Records"),
    ("S", "Assessment sites"),
]


def _covers(pool: Pool, target: Target) -> set[Item]:
    enrolment_id, spec_id, group_id = target
    enrolment = pool.enrolment(enrolment_id)
    items: set[Item] = {("A", enrolment.assessor_id), ("C", pool.stages[enrolment_id]), ("E", spec_id)}
    per_group = pool.judged.get((enrolment_id, spec_id), {})
    for gid, facts in per_group.items():
        if group_id is not None and gid != group_id:
            continue
        items.add(("L", gid))
        items.update(("M", code) for code in facts.methods)
        items.update(("R", code) for code in facts.methods)
        items.update(("S", site) for site in facts.sites)
    return items


def _universe(pool: Pool) -> set[Item]:
    items: set[Item] = set()
    for enrolment in pool.enrolments:
        items.add(("A", enrolment.assessor_id))
        items.add(("C", pool.stages[enrolment.pk]))
    for (_enrolment_id, spec_id), per_group in pool.judged.items():
        items.add(("E", spec_id))
        for gid, facts in per_group.items():
            items.add(("L", gid))
            items.update(("M", code) for code in facts.methods)
            items.update(("R", code) for code in facts.methods)
            items.update(("S", site) for site in facts.sites)
    return items


def _item_order(item: Item) -> tuple[int, str]:
    letters = [letter for letter, _ in DIMENSIONS]
    return letters.index(item[0]), str(item[1]).zfill(12)


def _coverage_reason(pool: Pool, item: Item, target: Target) -> str:
    dimension, key = item
    spec = next(s for s in pool.specifications[target[0]] if s.pk == target[1])
    if dimension == "A":
        assessor = pool.enrolment(target[0]).assessor
        return f"Covers assessor {assessor.full_name or assessor.email}"
    if dimension == "C":
        return f"Covers {STAGES[key].lower()}"
    if dimension == "M":
        return f"Covers method {key}"
    if dimension == "R":
        return f"Covers record type {pool.method_labels.get(key, key)}"
    if dimension == "S":
        return f"Covers assessment site {key}"
    if dimension == "E":
        return f"Covers {spec.code}"
    return f"Covers {pool.groups[key].label} of {spec.code}"


# Plans


def add_months(start: datetime.date, months: int) -> datetime.date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    days = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31,
            30, 31][month - 1]  # fmt: skip
    return datetime.date(year, month, min(start.day, days))


@dataclass
class _Planned:
    target: Target
    kind: str
    reason: str


def _share(count: int, percent: int) -> int:
    """ceil(percent of count), at least one when the percentage is above zero and there is anything."""
    if percent <= 0 or count == 0:
        return 0
    return max(1, math.ceil(count * percent / 100))


def _kind(pool: Pool, enrolment_id: int, spec_id: int) -> str:
    return Sample.Kind.SUMMATIVE if (enrolment_id, spec_id) in pool.signed else Sample.Kind.INTERIM


def generate_plan(
    *,
    centre: Centre,
    internal_verifier: User,
    period_start: datetime.date,
    by: User,
    seed: int | None = None,
) -> SamplingPlan:
    """Sample each assessor's decisions by their risk rating, then add samples until the plan covers every
    CAMERA item that exists. Never samples the IV's own assessment decisions."""
    if Membership.Role.INTERNAL_VERIFIER not in set(
        Membership.objects.filter(centre=centre, user=internal_verifier).values_list("role", flat=True)
    ):
        raise AssessmentError(f"{internal_verifier} is not an internal verifier of {centre.name}.")
    if seed is None:
        seed = random.SystemRandom().randrange(2**62)
    rng = random.Random(seed)
    strategy = strategy_for(centre)
    levels = {level.rating: level for level in strategy.levels.all()}
    risks = {risk.assessor_id: risk for risk in strategy.assessor_risks.all()}
    pool = _pool(centre=centre, internal_verifier=internal_verifier)
    if not pool.judged:
        raise AssessmentError(
            f"Nothing to sample for {centre.name} yet: no assessor has judged any evidence."
        )

    planned: list[_Planned] = []
    by_assessor: dict[int, list[Enrolment]] = defaultdict(list)
    for enrolment in pool.enrolments:
        by_assessor[enrolment.assessor_id].append(enrolment)
    interim_count = 0
    for assessor_id in sorted(by_assessor):
        learners = by_assessor[assessor_id]
        risk = risks.get(assessor_id)
        rating = risk.rating if risk else Rating.HIGH
        level = levels[rating]
        why = f"{RISK_WORDS[Rating(rating)]} assessor: {level.learners_percent}% of learners sampled"
        if risk is None:
            why += " (not rated yet, so sampled as high risk)"
        chosen = rng.sample(learners, _share(len(learners), level.learners_percent))
        for enrolment in sorted(chosen, key=lambda e: e.pk):
            specs = pool.specifications[enrolment.pk]
            wanted = _share(len(specs), level.units_percent)
            interim = [s for s in specs if _kind(pool, enrolment.pk, s.pk) == Sample.Kind.INTERIM]
            summative = [s for s in specs if s not in interim]
            rng.shuffle(interim)
            rng.shuffle(summative)
            interim.sort(key=lambda s: (enrolment.pk, s.pk) not in pool.judged)  # judged work first
            picked = []
            while len(picked) < wanted and (interim or summative):
                total = len(planned) + len(picked)
                prefer_interim = interim_count * 100 < strategy.interim_percent * (total + 1)
                source = interim if (prefer_interim and interim) or not summative else summative
                spec = source.pop(0)
                kind = _kind(pool, enrolment.pk, spec.pk)
                interim_count += kind == Sample.Kind.INTERIM
                picked.append(spec)
                reason = why
                if kind == Sample.Kind.INTERIM and (enrolment.pk, spec.pk) not in pool.judged:
                    reason += "; no judged evidence in this unit yet: look at the assessment plan"
                planned.append(_Planned((enrolment.pk, spec.pk, None), kind, reason))

    covered: set[Item] = set()
    for sample in planned:
        covered |= _covers(pool, sample.target)
    sampled_learners = {sample.target[0] for sample in planned}
    for item in sorted(_universe(pool) - covered, key=_item_order):
        if item in covered:
            continue
        options: list[Target] = []
        for enrolment in pool.enrolments:
            for spec in pool.specifications[enrolment.pk]:
                if item[0] == "L":
                    if item[1] in pool.judged.get((enrolment.pk, spec.pk), {}):
                        options.append((enrolment.pk, spec.pk, item[1]))
                elif item in _covers(pool, (enrolment.pk, spec.pk, None)):
                    options.append((enrolment.pk, spec.pk, None))
        if not options:
            continue
        familiar = [o for o in options if o[0] in sampled_learners]
        target = rng.choice(familiar or options)
        kind = _kind(pool, target[0], target[1])
        planned.append(_Planned(target, kind, _coverage_reason(pool, item, target)))
        covered |= _covers(pool, target)
        sampled_learners.add(target[0])

    period_end = add_months(period_start, strategy.period_months)
    days = (period_end - period_start).days
    with transaction.atomic():
        plan = SamplingPlan.objects.create(
            centre=centre,
            internal_verifier=internal_verifier,
            period_start=period_start,
            period_end=period_end,
            seed=seed,
            generated_by=by,
        )
        Sample.objects.bulk_create(
            Sample(
                plan=plan,
                enrolment_id=p.target[0],
                specification_id=p.target[1],
                group_id=p.target[2],
                assessor_id=pool.enrolment(p.target[0]).assessor_id,
                kind=p.kind,
                reason=p.reason,
                planned_for=period_start + datetime.timedelta(days=days * (i + 1) // (len(planned) + 1)),
                position=i,
            )
            for i, p in enumerate(planned)
        )
        record(
            actor=by,
            action="iqa.plan_generated",
            summary=(
                f"Sampling plan for {internal_verifier.full_name} generated: {len(planned)} samples, "
                f"{period_start:%d/%m/%Y} to {period_end:%d/%m/%Y}"
            ),
            subject=plan,
            centre=centre,
            after={
                "internal_verifier": person(internal_verifier),
                "seed": seed,
                "samples": [list(p.target) for p in planned],
            },
        )
    return plan


def _refuse_unless_plan_iv(plan: SamplingPlan, by: User) -> None:
    if by.pk != plan.internal_verifier_id:
        raise AssessmentError("Only the plan's internal verifier changes its samples.")


def _sample_state(sample: Sample) -> dict[str, Any]:
    return {
        "enrolment": sample.enrolment_id,
        "specification": sample.specification_id,
        "group": sample.group_id,
        "kind": sample.kind,
        "planned_for": sample.planned_for,
        "position": sample.position,
    }


def add_sample(
    *,
    plan: SamplingPlan,
    by: User,
    enrolment: Enrolment,
    specification: Specification,
    group: Group | None = None,
    kind: str | None = None,
    planned_for: datetime.date | None = None,
    reason: str = "",
) -> Sample:
    """A sample chosen by hand; never of the IV's own assessment decisions."""
    _refuse_unless_plan_iv(plan, by)
    if enrolment.centre_id != plan.centre_id:
        raise AssessmentError("That learner is not at this plan's centre.")
    if enrolment.assessor_id is None:
        raise AssessmentError(f"{enrolment.learner} has no assessor: there is no decision to sample.")
    if (
        enrolment.assessor_id == plan.internal_verifier_id
        or enrolment.learner_id == plan.internal_verifier_id
    ):
        raise AssessmentError(
            "You cannot verify your own assessment decisions: ask another IV to sample these."
        )
    if not EnrolledSpecification.objects.filter(enrolment=enrolment, specification=specification).exists():
        raise AssessmentError(f"{enrolment.learner} is not enrolled on {specification.code}.")
    if group is not None and group.specification_id != specification.pk:
        raise AssessmentError(f"{group.label} is not part of {specification.code}.")
    if planned_for is not None and not plan.period_start <= planned_for <= plan.period_end:
        raise AssessmentError(
            f"Plan the sample within the plan's period, {plan.period_start:%d/%m/%Y} to {plan.period_end:%d/%m/%Y}."
        )
    signed = SignOff.objects.filter(
        enrolment=enrolment, specification=specification, role=SignOff.Role.ASSESSOR, voided_at=None
    ).exists()
    if kind is None:
        kind = Sample.Kind.SUMMATIVE if signed else Sample.Kind.INTERIM
    if kind not in Sample.Kind.values:
        raise AssessmentError("Choose interim or summative.")
    if kind == Sample.Kind.SUMMATIVE and not signed:
        raise AssessmentError(
            f"{specification.code} is not signed off by the assessor yet: sample it as interim."
        )
    with transaction.atomic():
        last = (
            SamplingPlan.objects.select_for_update()
            .filter(pk=plan.pk)
            .aggregate(last=Max("samples__position"))["last"]
        )
        sample = Sample.objects.create(
            plan=plan,
            enrolment=enrolment,
            specification=specification,
            group=group,
            assessor_id=enrolment.assessor_id,
            kind=kind,
            reason=reason.strip() or "Added by hand",
            planned_for=planned_for,
            added_by_hand=True,
            position=(last + 1) if last is not None else 0,
        )
        record(
            actor=by,
            action="iqa.sample_added",
            summary=f"Sample of {enrolment.learner.full_name}, {specification.code} added by hand",
            subject=sample,
            learner=enrolment.learner,
            centre=plan.centre,
            after=_sample_state(sample),
        )
    return sample


def remove_sample(*, sample: Sample, by: User) -> None:
    """Take a sample out of the plan; one already decided stays, with its decision."""
    _refuse_unless_plan_iv(sample.plan, by)
    with transaction.atomic():
        if SampleDecision.objects.filter(sample=sample).exists() or sample.actions.exists():
            raise AssessmentError("This sample has a decision or actions recorded: it stays in the plan.")
        record(
            actor=by,
            action="iqa.sample_removed",
            summary=f"Sample of {sample.enrolment.learner.full_name}, {sample.specification.code} removed",
            subject=("assessments.sample", sample.pk),
            learner=sample.enrolment.learner,
            centre=sample.plan.centre,
            before=_sample_state(sample),
        )
        sample.delete()


def move_sample(
    *,
    sample: Sample,
    by: User,
    direction: str | None = None,
    planned_for: datetime.date | None = None,
) -> Sample:
    """Move a sample up or down the plan, or to another planned date within the plan's period."""
    plan = sample.plan
    _refuse_unless_plan_iv(plan, by)
    if direction not in (None, "up", "down"):
        raise AssessmentError("Move a sample up or down.")
    if planned_for is not None and not plan.period_start <= planned_for <= plan.period_end:
        raise AssessmentError(
            f"Plan the sample within the plan's period, {plan.period_start:%d/%m/%Y} to {plan.period_end:%d/%m/%Y}."
        )
    with transaction.atomic():
        samples = list(Sample.objects.select_for_update().filter(plan_id=plan.pk).order_by("position", "pk"))
        index = next(i for i, s in enumerate(samples) if s.pk == sample.pk)
        current = samples[index]
        before = _sample_state(current)
        if direction:
            other = index - 1 if direction == "up" else index + 1
            if 0 <= other < len(samples):
                samples[index], samples[other] = samples[other], samples[index]
            for position, each in enumerate(samples):
                each.position = position
            Sample.objects.bulk_update(samples, ["position"])
        if planned_for is not None:
            current.planned_for = planned_for
            current.save(update_fields=["planned_for"])
        record(
            actor=by,
            action="iqa.sample_moved",
            summary=f"Sample of {sample.enrolment.learner.full_name}, {sample.specification.code} moved",
            subject=current,
            learner=sample.enrolment.learner,
            centre=plan.centre,
            before=before,
            after=_sample_state(current),
        )
    return current


# Selectors


@dataclass
class CoverageItem:
    label: str
    covered: bool


@dataclass
class CoverageRow:
    letter: str
    title: str
    items: list[CoverageItem]

    @property
    def missing(self) -> list[str]:
        return [item.label for item in self.items if not item.covered]

    @property
    def covered_count(self) -> int:
        return sum(1 for item in self.items if item.covered)


def _item_label(pool: Pool, item: Item, names: dict[int, str]) -> str:
    dimension, key = item
    if dimension == "A":
        return names.get(key, str(key))
    if dimension == "C":
        return STAGES[key]
    if dimension == "R":
        return pool.method_labels.get(key, key)
    if dimension == "E":
        return next(s.code for specs in pool.specifications.values() for s in specs if s.pk == key)
    if dimension == "L":
        group = pool.groups[key]
        return f"{group.specification.code} {group.label}"
    return str(key)


def coverage(plan: SamplingPlan, *, samples: list[Sample] | None = None) -> list[CoverageRow]:
    """For each CAMERA dimension, what exists to sample (for this plan's IV) and whether the plan covers it."""
    pool = _pool(centre=plan.centre, internal_verifier=plan.internal_verifier)
    if samples is None:
        samples = list(plan.samples.only("enrolment_id", "specification_id", "group_id"))
    covered: set[Item] = set()
    for sample in samples:
        if sample.enrolment_id in pool._by_pk:
            covered |= _covers(pool, (sample.enrolment_id, sample.specification_id, sample.group_id))
    names = {e.assessor_id: e.assessor.full_name or e.assessor.email for e in pool.enrolments}
    universe = sorted(_universe(pool), key=_item_order)
    return [
        CoverageRow(
            letter=letter,
            title=title,
            items=[
                CoverageItem(_item_label(pool, item, names), item in covered)
                for item in universe
                if item[0] == letter
            ],
        )
        for letter, title in DIMENSIONS
    ]


def plan_samples(plan: SamplingPlan) -> list[Sample]:
    return list(
        plan.samples.select_related(
            "enrolment__learner", "specification", "group", "assessor", "decision"
        ).order_by("position", "pk")
    )


def plan_context(*, plan: SamplingPlan) -> dict[str, Any]:
    samples = plan_samples(plan)
    return {
        "plan": plan,
        "samples": samples,
        "decided": sum(1 for s in samples if hasattr(s, "decision")),
        "coverage": coverage(plan, samples=samples),
    }


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


@dataclass
class AssessorAgreement:
    assessor: User
    decided: int
    agreed: int

    @property
    def rate(self) -> int:
        return round(100 * self.agreed / self.decided) if self.decided else 0


@dataclass
class Dashboard:
    plans: list[SamplingPlan]
    coverage: list[CoverageRow]
    agreement: list[AssessorAgreement]
    actions: list[Action]
    centres: list[Centre]
    today: datetime.date

    @property
    def overdue(self) -> list[Action]:
        return [a for a in self.actions if a.due_on < self.today]


def dashboard(*, user: User) -> Dashboard:
    """An IV's plans with progress, the latest plan's coverage, agreement by assessor, open actions."""
    plans = list(
        SamplingPlan.objects.filter(internal_verifier=user)
        .select_related("centre", "internal_verifier")
        .annotate(
            planned=Count("samples", distinct=True),
            decided=Count("samples__decision", distinct=True),
        )
        .order_by("-period_start", "-pk")
    )
    rows = (
        SampleDecision.objects.filter(sample__plan__internal_verifier=user)
        .values("sample__assessor_id")
        .annotate(decided=Count("pk"), agreed=Count("pk", filter=Q(agrees=True)))
        .order_by()
    )
    counts = {row["sample__assessor_id"]: row for row in rows}
    assessors = {a.pk: a for a in User.objects.filter(pk__in=list(counts)).order_by("full_name")}
    agreement = [
        AssessorAgreement(assessor=a, decided=counts[a.pk]["decided"], agreed=counts[a.pk]["agreed"])
        for a in assessors.values()
    ]
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
        coverage=coverage(plans[0]) if plans else [],
        agreement=agreement,
        actions=actions,
        centres=centres,
        today=timezone.localdate(),
    )
