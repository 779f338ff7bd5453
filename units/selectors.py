"""Reads of the catalogue, each shaped and prefetched for the page or command that uses it."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from units import spec_format, spec_schema
from units.models import Criterion, Group, Guidance, RangeItem, Specification

CRITERION_SEARCH_LIMIT = 50


def specification_list(*, query: str = "") -> QuerySet[Specification]:
    """Specifications with their group, criterion and range-item counts, optionally filtered by code or title."""
    specifications = Specification.objects.annotate(
        group_count=Count("groups", distinct=True),
        criterion_count=Count("criteria", distinct=True),
        range_item_count=Count("criteria__range_items", distinct=True),
    ).order_by("code", "imported_at")
    if query := query.strip():
        specifications = specifications.filter(
            Q(code__icontains=query) | Q(title__icontains=query) | Q(aliases__icontains=query)
        )
    return specifications


def specification_detail() -> QuerySet[Specification]:
    """Specifications with everything their page shows, in a fixed number of queries whatever their size."""
    return Specification.objects.prefetch_related(
        "definitions",
        Prefetch("guidance", queryset=Guidance.objects.prefetch_related("groups")),
        Prefetch("groups", queryset=Group.objects.prefetch_related(*_CRITERION_PREFETCH, "guidance")),
    )


def group_detail(*, specification_pk: int) -> QuerySet[Group]:
    """The specification's groups with their criteria, for expanding one in place."""
    return (
        Group.objects.filter(specification_id=specification_pk)
        .select_related("specification")
        .prefetch_related(*_CRITERION_PREFETCH, "guidance")
    )


_LINE_PREFETCH = (
    Prefetch("criteria", queryset=Criterion.objects.order_by("position")),
    Prefetch("criteria__range_items", queryset=RangeItem.objects.order_by("position")),
)
_CRITERION_PREFETCH = (*_LINE_PREFETCH, "criteria__indicative_content")


def recording_form_groups(*, specification: Specification) -> list[Group]:
    """The groups in order, each with its criteria and their range items in order: the lines of a recording
    form (a criterion, or each of its range items), in three queries."""
    return list(
        Group.objects.filter(specification=specification)
        .order_by("position")
        .prefetch_related(*_LINE_PREFETCH)
    )


def search_criteria(*, query: str, limit: int = CRITERION_SEARCH_LIMIT) -> list[Criterion]:
    """Criteria of every specification whose ref matches exactly or whose text (or range text) contains the query."""
    query = query.strip()
    if not query:
        return []
    matches = (
        Criterion.objects.filter(
            Q(ref__iexact=query) | Q(text__icontains=query) | Q(range_items__text__icontains=query)
        )
        .distinct()
        .select_related("specification", "group")
        .prefetch_related(Prefetch("range_items", queryset=RangeItem.objects.order_by("position")))
        .order_by("specification__code", "specification__version", "position")
    )
    return list(matches[:limit])


def find_specification(*, code: str, version: str | None = None) -> Specification | None:
    """The specification with this code or alias; the most recently imported version unless one is named."""
    candidates = Specification.objects.filter(code=code)
    if not candidates.exists():
        alias_codes = [
            spec.code for spec in Specification.objects.only("code", "aliases") if code in spec.aliases
        ]
        candidates = Specification.objects.filter(code__in=alias_codes)
    if version is not None:
        candidates = candidates.filter(version=version)
    return candidates.order_by("-imported_at", "-pk").first()


def specification_document(specification: Specification) -> dict[str, Any]:
    """The specification as a normalised `portfolio-spec/1` document, exactly as it was imported."""
    spec = Specification.objects.prefetch_related(
        "definitions",
        Prefetch("groups", queryset=Group.objects.prefetch_related(*_CRITERION_PREFETCH)),
        Prefetch("guidance", queryset=Guidance.objects.prefetch_related("groups")),
    ).get(pk=specification.pk)
    raw: dict[str, Any] = {
        "format": spec_schema.FORMAT,
        "kind": spec.kind,
        "code": spec.code,
        "aliases": spec.aliases,
        "title": spec.title,
        "version": spec.version,
        "level": spec.level,
        "credits": spec.credits,
        "guided_learning_hours": spec.guided_learning_hours,
        "owner": spec.owner,
        "overview": spec.overview,
        "assessment_requirements": spec.assessment_requirements,
        "assessment_rules": spec.assessment_rules,
        "definitions": [
            {"term": item.term, "text": item.text, "heading": item.heading} for item in spec.definitions.all()
        ],
        "values": spec.values,
        "groups": [
            {
                "number": group.number,
                "title": group.title,
                "kind": group.kind,
                "criteria": [
                    {
                        "ref": criterion.ref,
                        "text": criterion.text,
                        "range": [
                            {"ref": item.ref, "text": item.text} for item in criterion.range_items.all()
                        ],
                        "indicative_content": [
                            {"term": item.term, "text": item.text}
                            for item in criterion.indicative_content.all()
                        ],
                    }
                    for criterion in group.criteria.all()
                ],
            }
            for group in spec.groups.all()
        ],
        "guidance": [
            {
                "title": item.title,
                "applies_to": [group.number for group in sorted(item.groups.all(), key=lambda g: g.position)],
                "synopsis": item.synopsis,
                "key_concepts": item.key_concepts,
                "tips": item.tips,
                "mistakes": item.mistakes,
                "marking_points": item.marking_points,
                "notes": item.notes,
            }
            for item in spec.guidance.all()
        ],
    }
    return spec_format.normalise(raw)


def countable_totals(*, specification_ids: Iterable[int]) -> dict[int, int]:
    """What needs evidence in each specification: criteria without range items, plus every range item."""
    ids = list(specification_ids)
    totals: dict[int, int] = dict.fromkeys(ids, 0)
    plain_criteria = (
        Criterion.objects.filter(specification_id__in=ids, range_items__isnull=True)
        .values("specification_id")
        .annotate(n=Count("pk"))
    )
    range_items = (
        RangeItem.objects.filter(criterion__specification_id__in=ids)
        .values("criterion__specification_id")
        .annotate(n=Count("pk"))
    )
    for criterion_row in plain_criteria:
        totals[criterion_row["specification_id"]] += criterion_row["n"]
    for item_row in range_items:
        totals[item_row["criterion__specification_id"]] += item_row["n"]
    return totals


Line = tuple[int, int | None]  # (criterion, range item or None): one line of a recording form


def countable_lines(*, specification_ids: Iterable[int]) -> dict[int, list[Line]]:
    """The lines of each specification's recording form in order: each criterion without range items, and each
    range item of the others (two queries)."""
    ids = list(specification_ids)
    lines: dict[int, list[Line]] = {spec_id: [] for spec_id in ids}
    items: dict[int, list[int]] = {}
    for criterion_id, item_id in (
        RangeItem.objects.filter(criterion__specification_id__in=ids)
        .order_by("criterion_id", "position")
        .values_list("criterion_id", "pk")
    ):
        items.setdefault(criterion_id, []).append(item_id)
    for criterion_id, spec_id in (
        Criterion.objects.filter(specification_id__in=ids)
        .order_by("specification_id", "position")
        .values_list("pk", "specification_id")
    ):
        lines[spec_id].extend((criterion_id, item) for item in items.get(criterion_id, [None]))
    return lines
