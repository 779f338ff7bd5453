"""Reads for the evidence pages, each in a fixed number of queries whatever the portfolio's size."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from centres.models import EnrolledSpecification, Enrolment
from portfolio.models import Evidence, EvidenceMapping
from units.models import Criterion, Guidance, RangeItem

PICKER_LIMIT = 20


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


def evidence_queryset() -> QuerySet[Evidence]:
    """Evidence with its enrolment's people, method, declaration and mappings, as the evidence pages need it."""
    return Evidence.objects.select_related(
        "enrolment__centre",
        "enrolment__learner",
        "enrolment__assessor",
        "method",
        "declared_by",
        "recorded_by",
    ).prefetch_related(
        Prefetch(
            "mappings",
            queryset=EvidenceMapping.objects.select_related(
                "criterion__specification", "criterion__group", "range_item"
            ),
        )
    )


def evidence_detail(*, pk: int) -> Evidence:
    return evidence_queryset().get(pk=pk)


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
    mapped_keys: set[tuple[int, int | None]] = set(
        evidence.mappings.values_list("criterion_id", "range_item_id")
    )
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
