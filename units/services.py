"""Changes to the catalogue: importing specification documents."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction

from units import spec_format
from units.assessment_rules import ObservationRule, observation_rule
from units.models import (
    Criterion,
    Definition,
    Group,
    Guidance,
    IndicativeContent,
    RangeItem,
    Specification,
)
from units.spec_format import Problem, SpecFormatError


@dataclass(frozen=True)
class ImportOutcome:
    specification: Specification
    created: bool
    source: str


class ImportRefused(Exception):
    """One or more files could not be imported; nothing was written."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


def import_specification_files(*, paths: list[Path]) -> list[ImportOutcome]:
    """Import every file or none: all are read and checked first, then written in one transaction."""
    documents = []
    problems: list[str] = []
    for path in paths:
        try:
            documents.append((str(path), spec_format.parse(path.read_bytes(), source=str(path))))
        except SpecFormatError as error:
            problems += error.lines()
        except OSError as error:
            problems.append(f"{path}: cannot be read: {error.strerror}")
    if problems:
        raise ImportRefused(problems)
    try:
        with transaction.atomic():
            return [import_specification(document=document, source=source) for source, document in documents]
    except SpecFormatError as error:
        raise ImportRefused(error.lines()) from None


def import_specification(*, document: dict[str, Any], source: str) -> ImportOutcome:
    """Add a normalised document as a new specification version, or recognise it as already imported.

    A version is immutable: the same code and version with other content is refused, never merged.
    """
    content_digest = spec_format.digest(document)
    existing = Specification.objects.filter(code=document["code"], version=document["version"]).first()
    if existing is None:
        try:
            with transaction.atomic():
                return ImportOutcome(_create(document, content_digest), created=True, source=source)
        except IntegrityError:
            existing = Specification.objects.get(code=document["code"], version=document["version"])
    if existing.content_digest != content_digest:
        raise SpecFormatError(
            source,
            [
                Problem(
                    "version",
                    f'{document["code"]} version "{document["version"]}" is already in the catalogue with '
                    "different content, and an imported version never changes: give the revised document a new "
                    "version and import it again",
                )
            ],
        )
    return ImportOutcome(existing, created=False, source=source)


def _create(document: dict[str, Any], content_digest: str) -> Specification:
    """The specification and its parts, in bulk inserts (one insert per guidance item, for its groups)."""
    specification = Specification.objects.create(
        kind=document["kind"],
        code=document["code"],
        aliases=document.get("aliases", []),
        title=document["title"],
        version=document["version"],
        level=document.get("level"),
        credits=document.get("credits"),
        guided_learning_hours=document.get("guided_learning_hours"),
        owner=document.get("owner", ""),
        overview=document.get("overview", ""),
        assessment_requirements=document.get("assessment_requirements", ""),
        assessment_rules=document.get("assessment_rules", {}),
        values=document.get("values", ""),
        content_digest=content_digest,
    )
    Definition.objects.bulk_create(
        Definition(
            specification=specification, position=position, heading=item.get("heading", ""), **_pick(item)
        )
        for position, item in enumerate(document.get("definitions", []), start=1)
    )
    rule = observation_rule(document)
    groups = _create_groups(specification, document["groups"], rule)
    _create_criteria(specification, groups, document["groups"], rule)
    _create_guidance(specification, groups, document.get("guidance", []))
    return specification


def _create_groups(
    specification: Specification, documents: list[dict[str, Any]], rule: ObservationRule
) -> list[Group]:
    return Group.objects.bulk_create(
        Group(
            specification=specification,
            position=position,
            number=item.get("number", ""),
            title=item["title"],
            kind=item["kind"],
            needs_observation=rule.group_needs(item),
        )
        for position, item in enumerate(documents, start=1)
    )


def _create_criteria(
    specification: Specification,
    groups: list[Group],
    group_documents: list[dict[str, Any]],
    rule: ObservationRule,
) -> None:
    """Every group's criteria, numbered through the whole specification, with their range and content."""
    criteria_documents = [
        (group, criterion, rule.criterion_needs(item, criterion))
        for group, item in zip(groups, group_documents, strict=True)
        for criterion in item["criteria"]
    ]
    criteria = Criterion.objects.bulk_create(
        Criterion(
            specification=specification,
            group=group,
            position=position,
            ref=item["ref"],
            text=item["text"],
            needs_observation=needs_observation,
        )
        for position, (group, item, needs_observation) in enumerate(criteria_documents, start=1)
    )
    with_documents = list(zip(criteria, (item for _, item, _ in criteria_documents), strict=True))
    RangeItem.objects.bulk_create(
        RangeItem(criterion=criterion, position=position, ref=range_item["ref"], text=range_item["text"])
        for criterion, item in with_documents
        for position, range_item in enumerate(item.get("range", []), start=1)
    )
    IndicativeContent.objects.bulk_create(
        IndicativeContent(criterion=criterion, position=position, **_pick(content))
        for criterion, item in with_documents
        for position, content in enumerate(item.get("indicative_content", []), start=1)
    )


def _create_guidance(
    specification: Specification, groups: list[Group], documents: list[dict[str, Any]]
) -> None:
    """Guidance items, each linked to the groups it applies to by number (none: the whole specification)."""
    groups_by_number = {group.number: group for group in groups if group.number}
    for position, item in enumerate(documents, start=1):
        guidance = Guidance.objects.create(
            specification=specification,
            position=position,
            title=item["title"],
            synopsis=item.get("synopsis", ""),
            key_concepts=item.get("key_concepts", []),
            tips=item.get("tips", []),
            mistakes=item.get("mistakes", []),
            marking_points=item.get("marking_points", []),
            notes=item.get("notes", ""),
        )
        guidance.groups.set([groups_by_number[number] for number in item.get("applies_to", [])])


def _pick(item: dict[str, str]) -> dict[str, str]:
    """The fields a definition and an item of indicative content share."""
    return {"term": item["term"], "text": item["text"]}
