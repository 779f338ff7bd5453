"""The criterion matrix: the recording form filled in with the evidence mapped to each line and what is met."""

from collections import defaultdict
from dataclasses import dataclass

from assessments.selectors.met import CountableState, Progress, countable_states, observation_note
from centres.models import Enrolment
from portfolio.models import Evidence, EvidenceMapping
from units.models import Criterion, Group, RangeItem, Specification
from units.selectors import Line, recording_form_groups


@dataclass(frozen=True)
class MatrixRow:
    """One line of the recording form: a criterion without range items, or one range item of a criterion."""

    criterion: Criterion
    range_item: RangeItem | None
    evidence: list[Evidence]
    state: CountableState | None

    @property
    def met(self) -> bool:
        return bool(self.state and self.state.met)

    @property
    def ref(self) -> str:
        return f"{self.criterion.ref} {self.range_item.ref})" if self.range_item else self.criterion.ref

    @property
    def line(self) -> Line:
        return (self.criterion.pk, self.range_item.pk if self.range_item else None)

    @property
    def is_first_of_criterion(self) -> bool:
        return self.range_item is None or self.range_item.position == 1


def _progress(rows: list[MatrixRow]) -> Progress:
    return Progress.of((row.line for row in rows), {row.line: row.state for row in rows if row.state})


@dataclass(frozen=True)
class MatrixGroup:
    group: Group
    rows: list[MatrixRow]
    observation_note: str = ""  # the observation rule its lines are held to, if any

    @property
    def progress(self) -> Progress:
        return _progress(self.rows)


@dataclass(frozen=True)
class Matrix:
    enrolment: Enrolment
    specification: Specification
    groups: list[MatrixGroup]

    @property
    def progress(self) -> Progress:
        return _progress([row for group in self.groups for row in group.rows])


def criterion_matrix(*, enrolment: Enrolment, specification: Specification) -> Matrix:
    """For each criterion and range item, the evidence mapped to it and whether it is met: the recording form,
    filled in."""
    states = countable_states(enrolments=[enrolment], specification_ids=[specification.pk]).get(
        (enrolment.pk, specification.pk), {}
    )
    evidence_by_line: dict[Line, list[Evidence]] = defaultdict(list)
    mappings = (
        EvidenceMapping.objects.filter(evidence__enrolment=enrolment, criterion__specification=specification)
        .select_related("evidence")
        .order_by("evidence__number")
    )
    for mapping in mappings:
        evidence_by_line[(mapping.criterion_id, mapping.range_item_id)].append(mapping.evidence)
    return Matrix(
        enrolment=enrolment,
        specification=specification,
        groups=[
            MatrixGroup(
                group=group,
                rows=[
                    MatrixRow(
                        criterion,
                        item,
                        evidence_by_line[(criterion.pk, item.pk if item else None)],
                        states.get((criterion.pk, item.pk if item else None)),
                    )
                    for criterion in group.criteria.all()
                    for item in (criterion.range_items.all() or [None])
                ],
                observation_note=observation_note(group, specification),
            )
            for group in recording_form_groups(specification=specification)
        ],
    )
