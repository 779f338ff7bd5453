"""A plan's CAMERA coverage: for each dimension, what exists to sample and whether the plan covers it."""

from dataclasses import dataclass
from typing import Any

from quality.camera import STAGES, Dimension, Item, Pool, Target
from quality.models import Sample, SamplingPlan
from quality.selectors.pool import load_pool


@dataclass(frozen=True)
class CoverageItem:
    label: str
    covered: bool


@dataclass(frozen=True)
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


def _label(pool: Pool, item: Item, names: dict[int, str]) -> str:
    key = item.key
    if item.dimension == Dimension.ASSESSORS:
        return names.get(int(key), str(key))
    if item.dimension == Dimension.CANDIDATES:
        return STAGES[str(key)]
    if item.dimension == Dimension.RECORDS:
        return pool.method_labels.get(str(key), str(key))
    if item.dimension == Dimension.UNITS:
        return next(s.code for specs in pool.specifications.values() for s in specs if s.pk == key)
    if item.dimension == Dimension.OUTCOMES:
        group = pool.groups[int(key)]
        return f"{group.specification.code} {group.label}"
    return str(key)


def _covered(pool: Pool, samples: list[Sample]) -> set[Item]:
    """What the samples cover; a sample of a learner no longer in the IV's pool covers nothing."""
    covered: set[Item] = set()
    for sample in samples:
        if sample.enrolment_id in pool.by_pk:
            covered |= pool.covers(Target(sample.enrolment_id, sample.specification_id, sample.group_id))
    return covered


def _assessor_names(pool: Pool) -> dict[int, str]:
    return {
        e.assessor_id: e.assessor.full_name or e.assessor.email
        for e in pool.enrolments
        if e.assessor_id is not None and e.assessor is not None
    }


def coverage(plan: SamplingPlan, *, samples: list[Sample] | None = None) -> list[CoverageRow]:
    """For each CAMERA dimension, what exists to sample (for this plan's IV) and whether the plan covers it."""
    pool = load_pool(centre=plan.centre, internal_verifier=plan.internal_verifier)
    if samples is None:
        samples = list(plan.samples.only("enrolment_id", "specification_id", "group_id"))
    covered = _covered(pool, samples)
    names = _assessor_names(pool)
    universe = sorted(pool.universe(), key=Item.order)
    return [
        CoverageRow(
            letter=dimension.value,
            title=dimension.heading,
            items=[
                CoverageItem(_label(pool, item, names), item in covered)
                for item in universe
                if item.dimension == dimension
            ],
        )
        for dimension in Dimension
    ]


def as_summary(rows: list[CoverageRow]) -> list[dict[str, Any]]:
    """The coverage as stored on the plan (JSON): what the dashboard shows, without the pool behind it."""
    return [
        {
            "letter": row.letter,
            "title": row.title,
            "items": [[item.label, item.covered] for item in row.items],
        }
        for row in rows
    ]


def stored_coverage(plan: SamplingPlan) -> list[CoverageRow]:
    """The plan's coverage as stored when its samples last changed; worked out now for a plan made before the
    summary was stored."""
    if plan.coverage_summary is None:
        return coverage(plan)
    return [
        CoverageRow(
            letter=row["letter"],
            title=row["title"],
            items=[CoverageItem(label, covered) for label, covered in row["items"]],
        )
        for row in plan.coverage_summary
    ]
