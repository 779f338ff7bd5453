"""What is met, for whom, and why not; and progress: computed from judgements in a fixed number of queries.

A line of the recording form (a criterion, or one of its range items) is met when the assessor has judged it met
on accepted evidence; where the specification's rules need a direct observation (by default, under a skill-based
group) one of those pieces must be an observation recorded by the assessor, in person unless the rules let a
remote one count. It is evidenced when any piece is mapped to it. `progress_for` and the criterion matrix count both from the same lines.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Exists, OuterRef

from assessments.models import Judgement, JudgementReopening
from centres.models import EnrolledSpecification, Enrolment
from portfolio.models import Evidence, EvidenceMapping
from units.models import Criterion, Group, Specification
from units.selectors import Line, countable_lines


def observation_rule_words(criterion: Criterion) -> str:
    """Why a line needs a direct observation, naming the rule: the specification's block, or the default."""
    specification = criterion.specification
    if "direct_observation" in specification.assessment_rules:
        scope = criterion.group.label if criterion.group.needs_observation else criterion.ref
        return f"the assessment rules of {specification.label} need a direct observation for {scope}"
    return f"{criterion.group.label} is skill-based, so it needs a direct observation"


def observation_note(group: Group, specification: Specification) -> str:
    """The observation rule a group's lines are held to, in words, for the matrix and the completion record ("" if
    none); `group.criteria` is read, so prefetch it for many groups."""
    if "direct_observation" in specification.assessment_rules:
        source = f"Assessment rules of {specification.label}"
    else:
        source = "Skill-based"
    remote = (
        ""
        if specification.remote_observation_counts
        else " (a remote observation only adds to one made in person)"
    )
    needed = "needs a direct observation of practice recorded by the assessor"
    if group.needs_observation:
        return f"{source}: each line {needed}{remote}."
    refs = [criterion.ref for criterion in group.criteria.all() if criterion.needs_observation]
    if refs:
        return f"{source}: {', '.join(refs)} {needed.replace('needs', 'need' if len(refs) > 1 else 'needs')}{remote}."
    return ""


@dataclass
class CountableState:
    """Where one criterion (or range item) stands for a learner, and in words why it is not met yet."""

    needs_observation: bool
    remote_observation_counts: bool = False
    observation_rule: str = ""  # why it needs one, in words (`observation_rule_words`)
    mapped: list[Evidence] = field(default_factory=list)
    met_by: list[Evidence] = field(default_factory=list)
    judged_not_met: list[Evidence] = field(default_factory=list)
    reopened: list[Evidence] = field(
        default_factory=list
    )  # its judgement reopened by the IV, not judged again

    def is_direct_observation(self, evidence: Evidence) -> bool:
        """Recorded by the assessor (never one the learner made), and in person unless the rules let remote count."""
        return evidence.is_recorded_observation and (
            self.remote_observation_counts or not evidence.observed_remotely
        )

    @property
    def met(self) -> bool:
        if not self.met_by:
            return False
        return not self.needs_observation or any(self.is_direct_observation(e) for e in self.met_by)

    @property
    def reason(self) -> str:
        if self.met:
            return ""
        if self.met_by:
            return self._observation_missing()
        if self.reopened:
            numbers = ", ".join(e.reference for e in self.reopened)
            return f"Reopened by the internal verifier on {numbers}: awaiting the assessor's new judgement."
        if self.judged_not_met:
            return f"Judged not yet met on {', '.join(e.reference for e in self.judged_not_met)}."
        if any(e.is_awaiting_assessment for e in self.mapped):
            return "Evidence submitted: awaiting the assessor."
        if self.mapped:
            return "Evidence mapped but not yet submitted."
        return "Not yet evidenced."

    def _observation_missing(self) -> str:
        """Judged met, but the observation the rule needs is not among that evidence: say which rule, and why
        an observation that is there does not count."""
        numbers = ", ".join(e.reference for e in self.met_by)
        words = [
            f"Judged met on {numbers}, but {self.observation_rule}: an observation of practice recorded by the "
            "assessor must be among the evidence judged met."
        ]
        learners = [
            e.reference for e in self.met_by if e.method.is_observation and not e.is_recorded_observation
        ]
        remote = [e.reference for e in self.met_by if e.is_recorded_observation and e.observed_remotely]
        if learners:
            words.append(f"{', '.join(learners)} was recorded by the learner, so it does not count.")
        if remote:
            words.append(f"{', '.join(remote)} was observed remotely, which only supplements one in person.")
        return " ".join(words)


States = dict[tuple[int, int], dict[Line, CountableState]]


def _state_of(criterion: Criterion) -> CountableState:
    """A line's state before any evidence, with the specification's observation rule for it."""
    if not criterion.needs_observation:
        return CountableState(needs_observation=False)
    return CountableState(
        needs_observation=True,
        remote_observation_counts=criterion.specification.remote_observation_counts,
        observation_rule=observation_rule_words(criterion),
    )


def countable_states(
    *, enrolments: Iterable[Enrolment], specification_ids: Iterable[int] | None = None
) -> States:
    """Per (enrolment, specification): the state of every mapped line; unmapped lines are simply absent."""
    enrolment_ids = [e.pk for e in enrolments]
    mappings = EvidenceMapping.objects.filter(evidence__enrolment_id__in=enrolment_ids).select_related(
        "evidence__method", "criterion__group", "criterion__specification"
    )
    latest: dict[int, Any] = {}  # judgements annotated with `reopened`
    judgements = (
        Judgement.objects.filter(evidence__enrolment_id__in=enrolment_ids)
        .only("mapping_id", "round", "met")
        .annotate(reopened=Exists(JudgementReopening.objects.filter(judgement_id=OuterRef("pk"))))
    )
    if specification_ids is not None:  # only the judgements of the specifications asked about
        specification_ids = list(specification_ids)
        mappings = mappings.filter(criterion__specification_id__in=specification_ids)
        judgements = judgements.filter(mapping__criterion__specification_id__in=specification_ids)
    for judgement in judgements.order_by("round"):
        latest[judgement.mapping_id] = judgement
    states: States = defaultdict(dict)
    for mapping in mappings.order_by("evidence__number"):
        evidence = mapping.evidence
        per_spec = states[(evidence.enrolment_id, mapping.criterion.specification_id)]
        key = (mapping.criterion_id, mapping.range_item_id)
        state = per_spec.get(key) or per_spec.setdefault(key, _state_of(mapping.criterion))
        state.mapped.append(evidence)
        latest_judgement = latest.get(mapping.pk)
        if latest_judgement is None:
            continue
        if latest_judgement.reopened:
            state.reopened.append(evidence)
        elif latest_judgement.met and evidence.status == Evidence.Status.ACCEPTED:
            state.met_by.append(evidence)
        elif not latest_judgement.met:
            state.judged_not_met.append(evidence)
    return states


@dataclass(frozen=True)
class Progress:
    """How much of a specification (or group) has evidence and is met; range items count one by one."""

    mapped: int
    total: int
    met: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.mapped / self.total) if self.total else 0

    @property
    def met_percent(self) -> int:
        return round(100 * self.met / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return bool(self.total) and self.met == self.total

    @classmethod
    def of(cls, lines: Iterable[Line], states: dict[Line, CountableState]) -> "Progress":
        """The one count of evidenced and met lines: only the form's own lines count, whatever else is mapped."""
        found = [states.get(line) for line in lines]
        return cls(
            mapped=sum(1 for state in found if state and state.mapped),
            total=len(found),
            met=sum(1 for state in found if state and state.met),
        )


def progress_for(enrolments: Iterable[Enrolment]) -> dict[tuple[int, int], Progress]:
    """Progress per (enrolment, specification) of the enrolments' specifications (prefetched)."""
    enrolments = list(enrolments)
    specification_ids = {
        enrolled.specification_id
        for enrolment in enrolments
        for enrolled in enrolment.enrolled_specifications.all()
    }
    lines = countable_lines(specification_ids=specification_ids)
    states = countable_states(enrolments=enrolments)
    return {
        (enrolment.pk, enrolled.specification_id): Progress.of(
            lines.get(enrolled.specification_id, []),
            states.get((enrolment.pk, enrolled.specification_id), {}),
        )
        for enrolment in enrolments
        for enrolled in enrolment.enrolled_specifications.all()
    }


class SpecificationProgress(NamedTuple):
    specification: Specification
    progress: Progress


class EnrolmentProgress(NamedTuple):
    """An enrolment with the progress of each of its specifications, in the enrolment's order."""

    enrolment: Enrolment
    specifications: list[SpecificationProgress]


def stored_progress(enrolled: EnrolledSpecification) -> Progress:
    """The figures stored for an enrolled specification (`assessments.services.progress` keeps them equal to
    `progress_for`): what every list shows, at no cost per line."""
    return Progress(mapped=enrolled.evidenced, total=enrolled.lines, met=enrolled.met)


def with_progress(enrolments: Iterable[Enrolment]) -> list[EnrolmentProgress]:
    """Enrolments (their specifications prefetched) with each specification's stored progress: no query."""
    return [
        EnrolmentProgress(
            enrolment,
            [
                SpecificationProgress(enrolled.specification, stored_progress(enrolled))
                for enrolled in enrolment.enrolled_specifications.all()
            ],
        )
        for enrolment in enrolments
    ]


def current_round(evidence: Evidence) -> int:
    """The round of assessment the evidence is in: one more than the rounds closed."""
    return evidence.reviews.count() + 1
