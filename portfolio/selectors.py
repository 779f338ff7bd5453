"""Reads for the portfolio pages, each in a fixed number of queries whatever the portfolio's size."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from assessments import eqa
from portfolio.models import EnrolledSpecification, Enrolment, Evidence, EvidenceMapping, Membership
from units.models import Criterion, Group, Guidance, RangeItem, Specification
from units.selectors import countable_totals, recording_form_groups

PICKER_LIMIT = 20


@dataclass(frozen=True)
class Progress:
    """How much of a specification (or group) has evidence; range items count one by one."""

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


def enrolments_for(user: User) -> QuerySet[Enrolment]:
    """Every enrolment the person may open: their own, their caseload, those they verify, their centres' (as
    administrator), and those an EQA grant in force covers (one query: the grants are subqueries)."""
    overseen = Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values("centre_id")
    grants = eqa.active_grants(user, timezone.localdate())
    return (
        Enrolment.objects.filter(
            Q(learner=user)
            | Q(assessor=user)
            | Q(internal_verifier=user)
            | Q(centre_id__in=overseen)
            | Q(centre_id__in=grants.filter(whole_centre=True).values("centre_id"))
            | Q(pk__in=grants.filter(whole_centre=False).values("enrolments"))
        )
        .select_related("centre", "learner", "assessor", "internal_verifier")
        .prefetch_related(
            Prefetch(
                "enrolled_specifications",
                queryset=EnrolledSpecification.objects.select_related("specification"),
            )
        )
        .order_by("centre__name", "learner__full_name", "-start_date")
    )


def enrolment_detail(*, pk: int) -> Enrolment:
    return enrolments_queryset().get(pk=pk)


def enrolments_queryset() -> QuerySet[Enrolment]:
    return Enrolment.objects.select_related(
        "centre", "learner", "assessor", "internal_verifier"
    ).prefetch_related(
        Prefetch(
            "enrolled_specifications", queryset=EnrolledSpecification.objects.select_related("specification")
        )
    )


def progress_for(
    enrolments: Iterable[Enrolment], *, met: dict[tuple[int, int], int] | None = None
) -> dict[tuple[int, int], Progress]:
    """Progress per (enrolment, specification): lines with evidence mapped, and (given by the caller from the
    assessors' judgements) lines met."""
    enrolments = list(enrolments)
    specification_ids = {
        enrolled.specification_id
        for enrolment in enrolments
        for enrolled in enrolment.enrolled_specifications.all()
    }
    totals = countable_totals(specification_ids=specification_ids)
    mapped: dict[tuple[int, int], int] = defaultdict(int)
    rows = (
        EvidenceMapping.objects.filter(evidence__enrolment__in=enrolments)
        .values_list("evidence__enrolment_id", "criterion__specification_id", "criterion_id", "range_item_id")
        .distinct()
    )
    for enrolment_id, specification_id, _, _ in rows:
        mapped[(enrolment_id, specification_id)] += 1
    return {
        (enrolment.pk, enrolled.specification_id): Progress(
            mapped[(enrolment.pk, enrolled.specification_id)],
            totals.get(enrolled.specification_id, 0),
            (met or {}).get((enrolment.pk, enrolled.specification_id), 0),
        )
        for enrolment in enrolments
        for enrolled in enrolment.enrolled_specifications.all()
    }


def evidence_list(
    *, enrolment: Enrolment, status: str = "", method: str = "", criterion: str = ""
) -> QuerySet[Evidence]:
    """The enrolment's evidence, newest number first, with what each is mapped to; optionally filtered."""
    evidence = (
        Evidence.objects.filter(enrolment=enrolment)
        .select_related("method")
        .annotate(file_count=Count("files", filter=Q(files__is_current=True), distinct=True))
        .prefetch_related(
            Prefetch(
                "mappings",
                queryset=EvidenceMapping.objects.select_related("criterion__specification", "range_item"),
            )
        )
        .order_by("-number")
    )
    if status:
        evidence = evidence.filter(status=status)
    if method:
        evidence = evidence.filter(method__code=method)
    if ref := criterion.strip():
        evidence = evidence.filter(mappings__criterion__ref__iexact=ref).distinct()
    return evidence


def evidence_detail(*, pk: int) -> Evidence:
    return (
        Evidence.objects.select_related(
            "enrolment__centre", "enrolment__learner", "enrolment__assessor", "method", "declared_by"
        )
        .prefetch_related(
            Prefetch(
                "mappings",
                queryset=EvidenceMapping.objects.select_related(
                    "criterion__specification", "criterion__group", "range_item"
                ),
            )
        )
        .get(pk=pk)
    )


@dataclass
class PickerResult:
    """A criterion offered in the picker, with what helps a learner decide: meaning, tips, mistakes."""

    criterion: Criterion
    mapped_keys: set[tuple[int, int | None]]
    guidance: list[Guidance] = field(default_factory=list)

    @property
    def needs_range_item(self) -> bool:
        return bool(self.criterion.range_items.all())

    @property
    def mapped(self) -> bool:
        return (self.criterion.pk, None) in self.mapped_keys

    def range_items(self) -> list[tuple[RangeItem, bool]]:
        return [
            (item, (self.criterion.pk, item.pk) in self.mapped_keys)
            for item in self.criterion.range_items.all()
        ]


def picker_results(*, evidence: Evidence, query: str, limit: int = PICKER_LIMIT) -> list[PickerResult]:
    """Criteria of the enrolment's specifications matching a ref (exactly) or words of their text."""
    query = query.strip()
    if not query:
        return []
    specification_ids = EnrolledSpecification.objects.filter(enrolment_id=evidence.enrolment_id).values(
        "specification_id"
    )
    criteria = list(
        Criterion.objects.filter(specification_id__in=specification_ids)
        .filter(Q(ref__iexact=query) | Q(text__icontains=query) | Q(range_items__text__icontains=query))
        .distinct()
        .select_related("specification", "group")
        .prefetch_related(
            Prefetch("range_items", queryset=RangeItem.objects.order_by("position")),
            "indicative_content",
            "group__guidance",
        )
        .order_by("specification__code", "position")[:limit]
    )
    whole_specification_guidance: dict[int, list[Guidance]] = defaultdict(list)
    for guidance in Guidance.objects.filter(
        specification_id__in={c.specification_id for c in criteria}, groups__isnull=True
    ):
        whole_specification_guidance[guidance.specification_id].append(guidance)
    mapped_keys = set(evidence.mappings.values_list("criterion_id", "range_item_id"))
    return [
        PickerResult(
            criterion=criterion,
            mapped_keys=mapped_keys,
            guidance=[
                *criterion.group.guidance.all(),
                *whole_specification_guidance[criterion.specification_id],
            ],
        )
        for criterion in criteria
    ]


@dataclass
class MatrixRow:
    """One line of the recording form: a criterion without range items, or one range item of a criterion."""

    criterion: Criterion
    range_item: RangeItem | None
    evidence: list[Evidence]
    state: Any = None  # the assessors' view of the line (assessments.selectors.CountableState), if given

    @property
    def met(self) -> bool:
        return bool(self.state and self.state.met)

    @property
    def ref(self) -> str:
        return f"{self.criterion.ref} {self.range_item.ref})" if self.range_item else self.criterion.ref

    @property
    def is_first_of_criterion(self) -> bool:
        return self.range_item is None or self.range_item.position == 1


@dataclass
class MatrixGroup:
    group: Group
    rows: list[MatrixRow]

    @property
    def progress(self) -> Progress:
        return _progress(self.rows)


@dataclass
class Matrix:
    enrolment: Enrolment
    specification: Specification
    groups: list[MatrixGroup]

    @property
    def progress(self) -> Progress:
        return _progress([row for group in self.groups for row in group.rows])


def _progress(rows: list[MatrixRow]) -> Progress:
    return Progress(sum(1 for row in rows if row.evidence), len(rows), sum(1 for row in rows if row.met))


def criterion_matrix(
    *,
    enrolment: Enrolment,
    specification: Specification,
    states: dict[tuple[int, int | None], Any] | None = None,
) -> Matrix:
    """For each criterion and range item, the evidence mapped to it and, given `states`, whether it is met: the
    recording form, filled in."""
    states = states or {}
    groups = recording_form_groups(specification=specification)
    evidence_by_key: dict[tuple[int, int | None], list[Evidence]] = defaultdict(list)
    mappings = (
        EvidenceMapping.objects.filter(evidence__enrolment=enrolment, criterion__specification=specification)
        .select_related("evidence")
        .order_by("evidence__number")
    )
    for mapping in mappings:
        evidence_by_key[(mapping.criterion_id, mapping.range_item_id)].append(mapping.evidence)
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
                        evidence_by_key[(criterion.pk, item.pk if item else None)],
                        states.get((criterion.pk, item.pk if item else None)),
                    )
                    for criterion in group.criteria.all()
                    for item in (criterion.range_items.all() or [None])
                ],
            )
            for group in groups
        ],
    )
