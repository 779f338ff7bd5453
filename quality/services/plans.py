"""Sampling plans: generating one reproducibly from a stored seed (`quality.camera.plan` decides; this stores),
and the IV's changes by hand: adding, removing and moving samples. One transaction each, audited."""

import datetime
import random
from typing import Any

from django.db import transaction
from django.db.models import Max

from accounts.models import User
from assessments.models import SignOff
from audit.services import person, record
from centres.models import Centre, EnrolledSpecification, Enrolment, Membership
from quality import camera
from quality.camera import Planned, SamplingRules
from quality.models import Rating, Sample, SampleDecision, SamplingPlan
from quality.rules import assessed_by
from quality.selectors.pool import load_pool
from quality.services import QualityError
from quality.services.coverage import store_coverage
from quality.services.strategy import strategy_for
from units.models import Group, Specification


def add_months(start: datetime.date, months: int) -> datetime.date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    days = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31,
            30, 31][month - 1]  # fmt: skip
    return datetime.date(year, month, min(start.day, days))


def _rules(centre: Centre) -> tuple[SamplingRules, int]:
    """The centre's strategy as the planner reads it, and the months a plan covers."""
    strategy = strategy_for(centre)
    rules = SamplingRules(
        interim_percent=strategy.interim_percent,
        levels={
            level.rating: (level.learners_percent, level.units_percent) for level in strategy.levels.all()
        },
        ratings={risk.assessor_id: Rating(risk.rating) for risk in strategy.assessor_risks.all()},
    )
    return rules, strategy.period_months


def _store(
    *,
    centre: Centre,
    internal_verifier: User,
    period_start: datetime.date,
    period_end: datetime.date,
    seed: int,
    by: User,
    planned: list[Planned],
    assessors: dict[int, int],
) -> SamplingPlan:
    """The plan and its samples, dated evenly across the period, with the audit entry."""
    days = (period_end - period_start).days
    with transaction.atomic():
        sampling_plan = SamplingPlan.objects.create(
            centre=centre,
            internal_verifier=internal_verifier,
            period_start=period_start,
            period_end=period_end,
            seed=seed,
            generated_by=by,
        )
        Sample.objects.bulk_create(
            Sample(
                plan=sampling_plan,
                enrolment_id=p.target.enrolment_id,
                specification_id=p.target.specification_id,
                group_id=p.target.group_id,
                assessor_id=assessors[p.target.enrolment_id],
                kind=p.kind,
                reason=p.reason,
                planned_for=period_start + datetime.timedelta(days=days * (i + 1) // (len(planned) + 1)),
                position=i,
            )
            for i, p in enumerate(planned)
        )
        store_coverage(sampling_plan)
        record(
            actor=by,
            action="iqa.plan_generated",
            summary=(
                f"Sampling plan for {internal_verifier.full_name} generated: {len(planned)} samples, "
                f"{period_start:%d/%m/%Y} to {period_end:%d/%m/%Y}"
            ),
            subject=sampling_plan,
            centre=centre,
            after={
                "internal_verifier": person(internal_verifier),
                "seed": seed,
                "samples": [list(p.target) for p in planned],
            },
        )
    return sampling_plan


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
    if not Membership.objects.filter(
        centre=centre, user=internal_verifier, role=Membership.Role.INTERNAL_VERIFIER
    ).exists():
        raise QualityError(f"{internal_verifier} is not an internal verifier of {centre.name}.")
    if seed is None:
        seed = random.SystemRandom().randrange(2**62)
    rules, months = _rules(centre)
    pool = load_pool(centre=centre, internal_verifier=internal_verifier)
    if not pool.judged:
        raise QualityError(f"Nothing to sample for {centre.name} yet: no assessor has judged any evidence.")
    planned = camera.plan(pool, rules, random.Random(seed))
    return _store(
        centre=centre,
        internal_verifier=internal_verifier,
        period_start=period_start,
        period_end=add_months(period_start, months),
        seed=seed,
        by=by,
        planned=planned,
        assessors={e.pk: e.assessor_id or 0 for e in pool.enrolments},
    )


def _refuse_unless_plan_iv(plan: SamplingPlan, by: User) -> None:
    if by.pk != plan.internal_verifier_id:
        raise QualityError("Only the plan's internal verifier changes its samples.")


def _sample_state(sample: Sample) -> dict[str, Any]:
    return {
        "enrolment": sample.enrolment_id,
        "specification": sample.specification_id,
        "group": sample.group_id,
        "kind": sample.kind,
        "planned_for": sample.planned_for,
        "position": sample.position,
    }


def _refuse_unsamplable(
    plan: SamplingPlan, enrolment: Enrolment, specification: Specification, group: Group | None
) -> int:
    """A learner's unit (or group of it) at the plan's centre, with an assessor who is not the plan's IV; returns
    that assessor's id, whose decisions the sample looks at."""
    if enrolment.centre_id != plan.centre_id:
        raise QualityError("That learner is not at this plan's centre.")
    if enrolment.assessor_id is None:
        raise QualityError(f"{enrolment.learner} has no assessor: there is no decision to sample.")
    if assessed_by(plan.internal_verifier_id, enrolment=enrolment):
        raise QualityError(
            f"You assessed this: {enrolment.learner}'s assessment decisions are yours, and an internal verifier "
            "never verifies their own. Ask another internal verifier to sample them."
        )
    if not EnrolledSpecification.objects.filter(enrolment=enrolment, specification=specification).exists():
        raise QualityError(f"{enrolment.learner} is not enrolled on {specification.code}.")
    if group is not None and group.specification_id != specification.pk:
        raise QualityError(f"{group.label} is not part of {specification.code}.")
    return enrolment.assessor_id


def _refuse_outside_period(plan: SamplingPlan, planned_for: datetime.date | None) -> None:
    if planned_for is not None and not plan.period_start <= planned_for <= plan.period_end:
        raise QualityError(
            f"Plan the sample within the plan's period, {plan.period_start:%d/%m/%Y} to {plan.period_end:%d/%m/%Y}."
        )


def _kind_by_hand(enrolment: Enrolment, specification: Specification, kind: str | None) -> str:
    """Summative only of a unit the assessor has signed off; as it stands when not chosen."""
    signed = (
        SignOff.objects.in_force()
        .filter(enrolment=enrolment, specification=specification, role=SignOff.Role.ASSESSOR)
        .exists()
    )
    if kind is None:
        return Sample.Kind.SUMMATIVE if signed else Sample.Kind.INTERIM
    if kind not in Sample.Kind.values:
        raise QualityError("Choose interim or summative.")
    if kind == Sample.Kind.SUMMATIVE and not signed:
        raise QualityError(
            f"{specification.code} is not signed off by the assessor yet: sample it as interim."
        )
    return kind


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
    assessor_id = _refuse_unsamplable(plan, enrolment, specification, group)
    _refuse_outside_period(plan, planned_for)
    kind = _kind_by_hand(enrolment, specification, kind)
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
            assessor_id=assessor_id,
            kind=kind,
            reason=reason.strip() or "Added by hand",
            planned_for=planned_for,
            added_by_hand=True,
            position=(last + 1) if last is not None else 0,
        )
        store_coverage(plan)
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
            raise QualityError("This sample has a decision or actions recorded: it stays in the plan.")
        record(
            actor=by,
            action="iqa.sample_removed",
            summary=f"Sample of {sample.enrolment.learner.full_name}, {sample.specification.code} removed",
            subject=("quality.sample", sample.pk),
            learner=sample.enrolment.learner,
            centre=sample.plan.centre,
            before=_sample_state(sample),
        )
        sample.delete()
        store_coverage(sample.plan)


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
        raise QualityError("Move a sample up or down.")
    _refuse_outside_period(plan, planned_for)
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
