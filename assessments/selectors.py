"""What is met, for whom, and why not: computed from judgements in a fixed number of queries."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import User
from assessments.models import Judgement, Review, SignOff
from portfolio.models import Enrolment, Evidence, EvidenceMapping
from portfolio.selectors import enrolments_queryset
from units.models import Group, Guidance
from units.selectors import countable_totals

Key = tuple[int, int | None]  # (criterion, range item or None): one line of the recording form
AWAITING = (Evidence.Status.SUBMITTED, Evidence.Status.RESUBMITTED)


@dataclass
class CountableState:
    """Where one criterion (or range item) stands for a learner, and in words why it is not met yet."""

    needs_observation: bool
    mapped: list[Evidence] = field(default_factory=list)
    met_by: list[Evidence] = field(default_factory=list)
    judged_not_met: list[Evidence] = field(default_factory=list)

    @property
    def met(self) -> bool:
        if not self.met_by:
            return False
        return not self.needs_observation or any(e.method.is_observation for e in self.met_by)

    @property
    def reason(self) -> str:
        if self.met:
            return ""
        if self.met_by:
            numbers = ", ".join(e.reference for e in self.met_by)
            return (
                f"Judged met on {numbers}, but this criterion is skill-based: it needs an accepted direct "
                "observation (OBS) of practice among the evidence judged met."
            )
        if self.judged_not_met:
            return f"Judged not yet met on {', '.join(e.reference for e in self.judged_not_met)}."
        if any(e.status in AWAITING for e in self.mapped):
            return "Evidence submitted: awaiting the assessor."
        if self.mapped:
            return "Evidence mapped but not yet submitted."
        return "Not yet evidenced."


def countable_states(
    *, enrolments: Iterable[Enrolment], specification_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], dict[Key, CountableState]]:
    """Per (enrolment, specification): the state of every mapped line; unmapped lines are simply absent."""
    enrolment_ids = [e.pk for e in enrolments]
    mappings = EvidenceMapping.objects.filter(evidence__enrolment_id__in=enrolment_ids).select_related(
        "evidence__method", "criterion__group"
    )
    if specification_ids is not None:
        mappings = mappings.filter(criterion__specification_id__in=list(specification_ids))
    latest: dict[int, Judgement] = {}
    judgements = Judgement.objects.filter(evidence__enrolment_id__in=enrolment_ids).only(
        "mapping_id", "round", "met"
    )
    for judgement in judgements.order_by("round"):
        latest[judgement.mapping_id] = judgement
    states: dict[tuple[int, int], dict[Key, CountableState]] = defaultdict(dict)
    for mapping in mappings.order_by("evidence__number"):
        evidence = mapping.evidence
        per_spec = states[(evidence.enrolment_id, mapping.criterion.specification_id)]
        key = (mapping.criterion_id, mapping.range_item_id)
        state = per_spec.get(key) or per_spec.setdefault(
            key, CountableState(needs_observation=mapping.criterion.group.kind == Group.Kind.SKILL)
        )
        state.mapped.append(evidence)
        judgement = latest.get(mapping.pk)
        if judgement is None:
            continue
        if judgement.met and evidence.status == Evidence.Status.ACCEPTED:
            state.met_by.append(evidence)
        elif not judgement.met:
            state.judged_not_met.append(evidence)
    return states


def met_counts(states: dict[tuple[int, int], dict[Key, CountableState]]) -> dict[tuple[int, int], int]:
    return {key: sum(1 for state in lines.values() if state.met) for key, lines in states.items()}


def valid_sign_offs(*, enrolments: Iterable[Enrolment]) -> dict[tuple[int, int], dict[str, SignOff]]:
    """Signatures still in force, per (enrolment, specification) and role."""
    found: dict[tuple[int, int], dict[str, SignOff]] = defaultdict(dict)
    for sign_off in SignOff.objects.filter(enrolment__in=list(enrolments), voided_at=None).select_related(
        "signer"
    ):
        found[(sign_off.enrolment_id, sign_off.specification_id)][sign_off.role] = sign_off
    return found


def signed_specification_ids(*, enrolment_id: int) -> set[int]:
    """Specifications whose judgements are frozen for this enrolment: a signature is in force."""
    return set(
        SignOff.objects.filter(enrolment_id=enrolment_id, voided_at=None).values_list(
            "specification_id", flat=True
        )
    )


@dataclass
class CaseloadLearner:
    enrolment: Enrolment
    progress: list[tuple[Any, int, int]]  # (specification, met, total)


@dataclass
class Caseload:
    learners: list[CaseloadLearner]
    awaiting_review: list[Evidence]
    referred: list[Evidence]
    ready_to_sign: list[tuple[Enrolment, Any, str]]

    @staticmethod
    def age(evidence: Evidence) -> int:
        return (timezone.now() - evidence.submitted_at).days if evidence.submitted_at else 0


def caseload(*, assessor: User) -> Caseload:
    """An assessor's day: learners with progress, work to review (oldest first), referrals, units to sign."""
    enrolments = list(
        enrolments_queryset()
        .filter(assessor=assessor)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .order_by("learner__full_name")
    )
    spec_ids = {es.specification_id for e in enrolments for es in e.enrolled_specifications.all()}
    totals = countable_totals(specification_ids=spec_ids)
    met = met_counts(countable_states(enrolments=enrolments))
    signatures = valid_sign_offs(enrolments=enrolments)
    learners, ready = [], []
    for enrolment in enrolments:
        progress = []
        for enrolled in enrolment.enrolled_specifications.all():
            spec = enrolled.specification
            done, total = met.get((enrolment.pk, spec.pk), 0), totals.get(spec.pk, 0)
            progress.append((spec, done, total))
            signed = signatures.get((enrolment.pk, spec.pk), {})
            if total and done == total and SignOff.Role.ASSESSOR not in signed:
                ready.append(
                    (
                        enrolment,
                        spec,
                        "learner has signed: yours to sign"
                        if SignOff.Role.LEARNER in signed
                        else "all met: waiting for the learner's signature",
                    )
                )
        learners.append(CaseloadLearner(enrolment, progress))
    evidence = Evidence.objects.filter(enrolment__in=enrolments).select_related("method", "learner")
    return Caseload(
        learners=learners,
        awaiting_review=list(evidence.filter(status__in=AWAITING).order_by("submitted_at", "pk")),
        referred=list(evidence.filter(status=Evidence.Status.REFERRED).order_by("updated_at")),
        ready_to_sign=ready,
    )


def current_round(evidence: Evidence) -> int:
    return evidence.reviews.count() + 1


@dataclass
class MappingForReview:
    mapping: EvidenceMapping
    judgement: Judgement | None
    marking_points: list[tuple[str, list[str]]]


def review_context(*, evidence: Evidence) -> dict[str, Any]:
    """The review screen: each mapping with the verbatim criterion, range items, indicative content and the
    guidance's marking points, this round's judgements, and every earlier round."""
    reviews = list(evidence.reviews.select_related("assessor").order_by("round"))
    round_now = len(reviews) + 1
    mappings = list(
        EvidenceMapping.objects.filter(evidence=evidence)
        .select_related("criterion__specification", "criterion__group", "range_item")
        .prefetch_related(
            "criterion__range_items",
            "criterion__indicative_content",
            Prefetch("criterion__group__guidance", queryset=Guidance.objects.order_by("position")),
        )
    )
    spec_ids = {m.criterion.specification_id for m in mappings}
    whole = defaultdict(list)
    for guidance in Guidance.objects.filter(specification_id__in=spec_ids, groups__isnull=True):
        whole[guidance.specification_id].append(guidance)
    judgements = list(
        Judgement.objects.filter(evidence=evidence).select_related("assessor").order_by("round")
    )
    this_round = {j.mapping_id: j for j in judgements if j.round == round_now}
    by_round = defaultdict(list)
    for judgement in judgements:
        if judgement.round < round_now:
            by_round[judgement.round].append(judgement)
    return {
        "round": round_now,
        "mappings": [
            MappingForReview(
                mapping=m,
                judgement=this_round.get(m.pk),
                marking_points=[
                    (g.title, g.marking_points)
                    for g in [*m.criterion.group.guidance.all(), *whole[m.criterion.specification_id]]
                    if g.marking_points
                ],
            )
            for m in mappings
        ],
        "history": [(review, by_round[review.round]) for review in reviews],
        "frozen_specification_ids": signed_specification_ids(enrolment_id=evidence.enrolment_id),
    }


def feedback_history(*, evidence: Evidence) -> list[tuple[Review, list[Judgement]]]:
    """Every closed round with its judgements, for the learner's evidence page."""
    reviews = list(Review.objects.filter(evidence=evidence).select_related("assessor").order_by("-round"))
    judgements = defaultdict(list)
    for judgement in Judgement.objects.filter(evidence=evidence).select_related(
        "mapping__criterion__specification", "mapping__range_item"
    ):
        judgements[judgement.round].append(judgement)
    return [(review, judgements[review.round]) for review in reviews]


def evidence_for_specification(*, enrolment: Enrolment, specification_id: int) -> QuerySet[Evidence]:
    """Evidence of the enrolment with a mapping to the specification: what a sign-off covers."""
    return (
        Evidence.objects.filter(enrolment=enrolment)
        .filter(mappings__criterion__specification_id=specification_id)
        .distinct()
        .order_by("number")
    )


def sign_off_history(*, enrolment: Enrolment, specification: Any) -> list[SignOff]:
    """Every signature on the unit, in force or voided, oldest first."""
    return list(
        SignOff.objects.filter(enrolment=enrolment, specification=specification)
        .select_related("signer", "voided_by")
        .order_by("signed_at", "pk")
    )
