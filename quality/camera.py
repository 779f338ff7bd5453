"""Sampling plans as pure logic: what there is to sample (a `Pool`), the CAMERA items each sample covers, and
`plan(pool, rules, rng)`, which chooses samples by each assessor's risk and then until every item is covered.

Nothing here reads or writes the database: `quality.selectors.pool` loads a pool, `quality.services.plans`
stores a plan. The same pool, rules and seed always give the same plan.
"""

import math
import random
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from centres.models import Enrolment
from quality.models import Rating, Sample
from units.models import Group, Specification


class Dimension(StrEnum):
    """The CAMERA dimensions, with learning outcomes apart from units, in the order the coverage table shows."""

    CANDIDATES = "C", "Candidates"
    ASSESSORS = "A", "Assessors"
    METHODS = "M", "Methods"
    UNITS = "E", "Evidence: units"
    OUTCOMES = "L", "Evidence: learning outcomes and headings"
    RECORDS = "R", "Records"
    SITES = "S", "Assessment sites"

    heading: str

    def __new__(cls, letter: str, heading: str) -> "Dimension":
        member = str.__new__(cls, letter)
        member._value_ = letter
        member.heading = heading
        return member


ORDER = list(Dimension)


class Item(NamedTuple):
    """One thing a plan should cover: an assessor (by id), a candidate stage, a method code, a unit or a group
    (by id), a record type (method code) or an assessment site."""

    dimension: Dimension
    key: int | str

    def order(self) -> tuple[int, str]:
        return ORDER.index(self.dimension), str(self.key).zfill(12)


class Target(NamedTuple):
    """What a sample looks at: a learner's unit, or one group of it."""

    enrolment_id: int
    specification_id: int
    group_id: int | None


STAGES = {
    "new": "New candidates",
    "in_progress": "Candidates in progress",
    "complete": "Completed candidates",
}


@dataclass
class Facts:
    """What judged evidence there is in one learning outcome/heading of a learner's unit."""

    methods: set[str] = field(default_factory=set)
    sites: set[str] = field(default_factory=set)


@dataclass
class Pool:
    """Everything an IV may sample at a centre."""

    enrolments: list[Enrolment]
    specifications: dict[int, list[Specification]]  # per enrolment, in enrolment order
    judged: dict[tuple[int, int], dict[int, Facts]]  # (enrolment, specification) -> group -> facts
    signed: set[tuple[int, int]]  # (enrolment, specification) the assessor has signed off
    stages: dict[int, str]  # enrolment -> a key of STAGES
    groups: dict[int, Group]
    method_labels: dict[str, str]
    by_pk: dict[int, Enrolment] = field(init=False)

    def __post_init__(self) -> None:
        self.by_pk = {e.pk: e for e in self.enrolments}

    def kind(self, enrolment_id: int, specification_id: int) -> str:
        """Summative once the assessor has signed the unit off; interim before."""
        signed = (enrolment_id, specification_id) in self.signed
        return Sample.Kind.SUMMATIVE if signed else Sample.Kind.INTERIM

    def covers(self, target: Target) -> set[Item]:
        """The items a sample of `target` covers."""
        enrolment = self.by_pk[target.enrolment_id]
        items = {
            Item(Dimension.ASSESSORS, enrolment.assessor_id or 0),
            Item(Dimension.CANDIDATES, self.stages[enrolment.pk]),
            Item(Dimension.UNITS, target.specification_id),
        }
        for group_id, facts in self.judged.get((target.enrolment_id, target.specification_id), {}).items():
            if target.group_id is None or group_id == target.group_id:
                items |= _fact_items(group_id, facts)
        return items

    def universe(self) -> set[Item]:
        """Every item there is to cover."""
        items: set[Item] = set()
        for enrolment in self.enrolments:
            items.add(Item(Dimension.ASSESSORS, enrolment.assessor_id or 0))
            items.add(Item(Dimension.CANDIDATES, self.stages[enrolment.pk]))
        for (_, spec_id), per_group in self.judged.items():
            items.add(Item(Dimension.UNITS, spec_id))
            for group_id, facts in per_group.items():
                items |= _fact_items(group_id, facts)
        return items


def _fact_items(group_id: int, facts: Facts) -> set[Item]:
    return {
        Item(Dimension.OUTCOMES, group_id),
        *(Item(Dimension.METHODS, code) for code in facts.methods),
        *(Item(Dimension.RECORDS, code) for code in facts.methods),
        *(Item(Dimension.SITES, site) for site in facts.sites),
    }


@dataclass(frozen=True)
class SamplingRules:
    """The parts of a centre's strategy a plan follows."""

    interim_percent: int
    levels: dict[str, tuple[int, int]]  # rating -> (learners %, units %)
    ratings: dict[int, str]  # assessor id -> rating; an unrated assessor is sampled as high risk


@dataclass(frozen=True)
class Planned:
    target: Target
    kind: str
    reason: str


RISK_WORDS = {Rating.HIGH: "High-risk", Rating.MEDIUM: "Medium-risk", Rating.LOW: "Low-risk"}


def share(count: int, percent: int) -> int:
    """ceil(percent of count), at least one when the percentage is above zero and there is anything."""
    if percent <= 0 or count == 0:
        return 0
    return max(1, math.ceil(count * percent / 100))


def _risk_reason(rules: SamplingRules, assessor_id: int) -> tuple[str, int, int]:
    rating = rules.ratings.get(assessor_id, Rating.HIGH)
    learners, units = rules.levels[rating]
    why = f"{RISK_WORDS[Rating(rating)]} assessor: {learners}% of learners sampled"
    if assessor_id not in rules.ratings:
        why += " (not rated yet, so sampled as high risk)"
    return why, learners, units


class _Tally:
    """Samples planned so far and how many are interim, to keep the strategy's interim share."""

    def __init__(self, interim_percent: int) -> None:
        self.interim_percent = interim_percent
        self.planned: list[Planned] = []
        self.interim = 0

    def prefers_interim(self, pending: int) -> bool:
        """With `pending` more picked but not yet added, whether the next should be interim."""
        return self.interim * 100 < self.interim_percent * (len(self.planned) + pending + 1)


def _shuffled_units(
    pool: Pool, enrolment: Enrolment, rng: random.Random
) -> tuple[list[Specification], list[Specification]]:
    """The learner's interim and summative units, each in random order, interim units with judged work first."""
    specs = pool.specifications[enrolment.pk]
    interim = [s for s in specs if pool.kind(enrolment.pk, s.pk) == Sample.Kind.INTERIM]
    summative = [s for s in specs if s not in interim]
    rng.shuffle(interim)
    rng.shuffle(summative)
    interim.sort(key=lambda s: (enrolment.pk, s.pk) not in pool.judged)  # judged work first
    return interim, summative


def _unit_sample(pool: Pool, enrolment_id: int, specification_id: int, why: str) -> Planned:
    """A whole unit sampled for the assessor's risk; an interim one with no judged work yet says where to look."""
    kind = pool.kind(enrolment_id, specification_id)
    reason = why
    if kind == Sample.Kind.INTERIM and (enrolment_id, specification_id) not in pool.judged:
        reason += "; no judged evidence in this unit yet: look at the assessment plan"
    return Planned(Target(enrolment_id, specification_id, None), kind, reason)


def _units_of(
    pool: Pool, enrolment: Enrolment, wanted: int, why: str, tally: _Tally, rng: random.Random
) -> list[Planned]:
    """`wanted` units of one learner, interim or summative as the share asks, judged work first."""
    interim, summative = _shuffled_units(pool, enrolment, rng)
    picked: list[Planned] = []
    while len(picked) < wanted and (interim or summative):
        source = interim if (tally.prefers_interim(len(picked)) and interim) or not summative else summative
        planned = _unit_sample(pool, enrolment.pk, source.pop(0).pk, why)
        tally.interim += planned.kind == Sample.Kind.INTERIM
        picked.append(planned)
    return picked


def _by_risk(pool: Pool, rules: SamplingRules, rng: random.Random) -> list[Planned]:
    """Each assessor's share of learners, and of each chosen learner's units, by the assessor's rating."""
    by_assessor: dict[int, list[Enrolment]] = {}
    for enrolment in pool.enrolments:
        by_assessor.setdefault(enrolment.assessor_id or 0, []).append(enrolment)
    tally = _Tally(rules.interim_percent)
    for assessor_id in sorted(by_assessor):
        learners = by_assessor[assessor_id]
        why, learners_percent, units_percent = _risk_reason(rules, assessor_id)
        chosen = rng.sample(learners, share(len(learners), learners_percent))
        for enrolment in sorted(chosen, key=lambda e: e.pk):
            wanted = share(len(pool.specifications[enrolment.pk]), units_percent)
            tally.planned.extend(_units_of(pool, enrolment, wanted, why, tally, rng))
    return tally.planned


def _options(pool: Pool, item: Item) -> list[Target]:
    """Every sample that would cover `item`: the group itself for a learning outcome, else whole units."""
    options: list[Target] = []
    for enrolment in pool.enrolments:
        for spec in pool.specifications[enrolment.pk]:
            if item.dimension == Dimension.OUTCOMES:
                if item.key in pool.judged.get((enrolment.pk, spec.pk), {}):
                    options.append(Target(enrolment.pk, spec.pk, int(item.key)))
            elif item in pool.covers(Target(enrolment.pk, spec.pk, None)):
                options.append(Target(enrolment.pk, spec.pk, None))
    return options


def _item_words(pool: Pool, item: Item) -> str:
    """An item named without its unit: a candidate stage, a method, a record type or an assessment site."""
    key = str(item.key)
    if item.dimension == Dimension.CANDIDATES:
        return STAGES[key].lower()
    if item.dimension == Dimension.METHODS:
        return f"method {key}"
    if item.dimension == Dimension.RECORDS:
        return f"record type {pool.method_labels.get(key, key)}"
    return f"assessment site {key}"


def coverage_reason(pool: Pool, item: Item, target: Target) -> str:
    """Why a sample added for coverage was chosen, in words."""
    spec = next(s for s in pool.specifications[target.enrolment_id] if s.pk == target.specification_id)
    if item.dimension == Dimension.ASSESSORS:
        assessor = pool.by_pk[target.enrolment_id].assessor
        return f"Covers assessor {assessor.full_name or assessor.email}" if assessor else "Covers an assessor"
    if item.dimension == Dimension.UNITS:
        return f"Covers {spec.code}"
    if item.dimension == Dimension.OUTCOMES:
        return f"Covers {pool.groups[int(item.key)].label} of {spec.code}"
    return f"Covers {_item_words(pool, item)}"


def _for_coverage(pool: Pool, planned: list[Planned], rng: random.Random) -> list[Planned]:
    """Samples added until every item that exists is covered, preferring learners already sampled."""
    covered: set[Item] = set()
    for sample in planned:
        covered |= pool.covers(sample.target)
    sampled_learners = {sample.target.enrolment_id for sample in planned}
    added: list[Planned] = []
    for item in sorted(pool.universe() - covered, key=Item.order):
        if item in covered or not (options := _options(pool, item)):
            continue
        familiar = [o for o in options if o.enrolment_id in sampled_learners]
        target = rng.choice(familiar or options)
        added.append(
            Planned(
                target,
                pool.kind(target.enrolment_id, target.specification_id),
                coverage_reason(pool, item, target),
            )
        )
        covered |= pool.covers(target)
        sampled_learners.add(target.enrolment_id)
    return added


def plan(pool: Pool, rules: SamplingRules, rng: random.Random) -> list[Planned]:
    """Sample each assessor's decisions by their risk rating, then add samples until the plan covers every
    CAMERA item that exists."""
    planned = _by_risk(pool, rules, rng)
    return planned + _for_coverage(pool, planned, rng)
