"""Reads for the sample page, the assessor's feedback and actions, each in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User
from assessments.models import Judgement, SignOff
from assessments.selectors.met import CountableState, countable_states
from portfolio.models import EvidenceFile
from quality.models import Action, Sample, SampleDecision
from units.models import Criterion, RangeItem


def sample_queryset() -> QuerySet[Sample]:
    return Sample.objects.select_related(
        "plan__centre",
        "plan__internal_verifier",
        "enrolment__learner",
        "enrolment__centre",
        "specification",
        "group",
        "assessor",
    )


def sample_judgements(sample: Sample) -> QuerySet[Judgement]:
    """Every judgement (all rounds) on the learner's evidence for the sampled criteria."""
    judgements = Judgement.objects.filter(
        evidence__enrolment_id=sample.enrolment_id,
        mapping__criterion__specification_id=sample.specification_id,
    )
    if sample.group_id is not None:
        judgements = judgements.filter(mapping__criterion__group_id=sample.group_id)
    return judgements


def actions_queryset() -> QuerySet[Action]:
    """Actions with their people and sample, soonest due first (each says `is_overdue`)."""
    return Action.objects.select_related(
        "owner", "set_by", "sample__enrolment__learner", "sample__specification"
    ).order_by("due_on", "pk")


def actions_for(user: User) -> list[Action]:
    """The actions a person owns or set: open, responded and closed."""
    return list(actions_queryset().filter(Q(owner=user) | Q(set_by=user)))


def decisions_for(*, assessor: User) -> list[SampleDecision]:
    """IV decisions on samples of an assessor's work: their feedback, newest first."""
    return list(
        SampleDecision.objects.filter(sample__assessor=assessor)
        .select_related(
            "internal_verifier", "sample__enrolment__learner", "sample__specification", "sample__group"
        )
        .prefetch_related(
            Prefetch(
                "judgements",
                queryset=Judgement.objects.select_related(
                    "evidence", "mapping__criterion", "mapping__range_item"
                ),
            )
        )
        .order_by("-decided_at", "-pk")
    )


@dataclass(frozen=True)
class SampledLine:
    """One line of the sampled criteria: where it stands and every judgement made on it."""

    criterion: Criterion
    range_item: RangeItem | None
    state: CountableState | None
    judgements: list[Judgement]

    @property
    def ref(self) -> str:
        return f"{self.criterion.ref} {self.range_item.ref})" if self.range_item else self.criterion.ref

    @property
    def met(self) -> bool:
        return bool(self.state and self.state.met)


@dataclass(frozen=True)
class SamplePage:
    sample: Sample
    lines: list[SampledLine]
    judgement_count: int
    decision: SampleDecision | None
    looked_at: set[int]
    actions: list[Action]
    signatures: dict[str, SignOff]

    @property
    def summative_agreed(self) -> bool:
        """An agreed summative sample of a unit the assessor has signed: the IV may sign the admin check."""
        return bool(
            self.decision
            and self.decision.agrees
            and self.sample.kind == Sample.Kind.SUMMATIVE
            and SignOff.Role.ASSESSOR in self.signatures
        )


def _judgements_with_files(sample: Sample) -> list[Judgement]:
    """The sampled judgements, each evidence carrying its current files (`current_files`)."""
    current_files = Prefetch(
        "evidence__files",
        queryset=EvidenceFile.objects.filter(is_current=True).order_by("pk"),
        to_attr="current_files",
    )
    return list(
        sample_judgements(sample)
        .select_related("evidence__method", "mapping__criterion", "mapping__range_item", "assessor")
        .prefetch_related(current_files)
        .order_by("evidence__number", "round", "pk")
    )


def _lines(sample: Sample, judgements: list[Judgement]) -> list[SampledLine]:
    enrolment, specification = sample.enrolment, sample.specification
    criteria = Criterion.objects.filter(specification=specification).prefetch_related("range_items")
    if sample.group_id is not None:
        criteria = criteria.filter(group_id=sample.group_id)
    by_line: dict[tuple[int, int | None], list[Judgement]] = defaultdict(list)
    for judgement in judgements:
        by_line[(judgement.mapping.criterion_id, judgement.mapping.range_item_id)].append(judgement)
    states = countable_states(enrolments=[enrolment], specification_ids=[specification.pk]).get(
        (enrolment.pk, specification.pk), {}
    )
    return [
        SampledLine(
            criterion=criterion,
            range_item=item,
            state=states.get((criterion.pk, item.pk if item else None)),
            judgements=by_line[(criterion.pk, item.pk if item else None)],
        )
        for criterion in criteria.order_by("position")
        for item in (criterion.range_items.all() or [None])
    ]


def sample_page(*, sample: Sample) -> SamplePage:
    """The sample page: the sampled criteria with the learner's evidence, files and the assessor's judgements,
    the IV's decision and actions, and the signatures in force, in a fixed number of queries."""
    judgements = _judgements_with_files(sample)
    decision = SampleDecision.objects.filter(sample=sample).select_related("internal_verifier").first()
    return SamplePage(
        sample=sample,
        lines=_lines(sample, judgements),
        judgement_count=len(judgements),
        decision=decision,
        looked_at=set(decision.judgements.values_list("pk", flat=True)) if decision else set(),
        actions=list(actions_queryset().filter(sample=sample)),
        signatures={
            s.role: s
            for s in SignOff.objects.in_force().filter(
                enrolment=sample.enrolment, specification=sample.specification
            )
        },
    )
