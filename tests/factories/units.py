"""Specifications: whole documents imported as the importer would, and single rows for tests of one part.

A specification version never changes once imported, so the row factories only ever create.
"""

from typing import Any

import factory

from units import spec_format, spec_schema
from units.models import (
    Criterion,
    Definition,
    Group,
    Guidance,
    IndicativeContent,
    RangeItem,
    Specification,
)
from units.services import import_specification


def specification_document(
    *,
    code: str = "T/000/0001",
    version: str = "1",
    groups: int = 2,
    criteria_per_group: int = 5,
    **fields: Any,
) -> dict[str, Any]:
    """A valid, normalised unit document with numbered outcomes, criteria, a range item and indicative content."""
    raw = {
        "format": spec_schema.FORMAT,
        "kind": "unit",
        "code": code,
        "title": f"Test unit {code}",
        "version": version,
        "level": 3,
        "credits": 4,
        "guided_learning_hours": 30,
        "groups": [
            {
                "number": str(g),
                "title": f"Understand topic {g}" if g % 2 else f"Be able to practise topic {g}",
                "kind": "knowledge" if g % 2 else "skill",
                "criteria": [
                    {
                        "ref": f"{g}.{c}",
                        "text": f"Explain point {c} of topic {g}",
                        "range": [{"ref": "a", "text": f"first aspect of {g}.{c}"}],
                        "indicative_content": [{"term": "Point", "text": f"What point {c} means"}],
                    }
                    for c in range(1, criteria_per_group + 1)
                ],
            }
            for g in range(1, groups + 1)
        ],
        **fields,
    }
    return spec_format.normalise(raw)


def create_specification(**kwargs: Any) -> Specification:
    """A whole specification, imported through the real importer."""
    document = specification_document(**kwargs)
    return import_specification(document=document, source="factory").specification


class SpecificationFactory(factory.django.DjangoModelFactory):
    """An empty specification row; `create_specification` gives a whole one."""

    class Meta:
        model = Specification

    kind = Specification.Kind.UNIT
    code = factory.Sequence(lambda n: f"F/{n:03d}/0001")
    title = factory.Sequence(lambda n: f"Factory unit {n}")
    version = "1"
    level = 3
    credits = 4
    guided_learning_hours = 30
    content_digest = factory.Sequence(lambda n: f"{n:064x}")


class DefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Definition

    specification = factory.SubFactory(SpecificationFactory)
    position = factory.Sequence(int)
    term = "Individual"
    text = "The person receiving care or support."


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    specification = factory.SubFactory(SpecificationFactory)
    position = factory.Sequence(int)
    number = factory.Sequence(lambda n: str(n + 1))
    title = "Understand person-centred practice"
    kind = Group.Kind.KNOWLEDGE


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    group = factory.SubFactory(GroupFactory)
    specification = factory.SelfAttribute("group.specification")
    position = factory.Sequence(int)
    ref = factory.Sequence(lambda n: f"1.{n + 1}")
    text = "Explain what person-centred practice means"


class RangeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RangeItem

    criterion = factory.SubFactory(CriterionFactory)
    position = factory.Sequence(lambda n: n + 1)
    ref = factory.Sequence(lambda n: "abcdefghijklmnopqrstuvwxyz"[n % 26])
    text = "for the individual"


class IndicativeContentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicativeContent

    criterion = factory.SubFactory(CriterionFactory)
    position = factory.Sequence(int)
    term = "Others"
    text = "Family, friends, advocates."


class GuidanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guidance

    specification = factory.SubFactory(SpecificationFactory)
    position = factory.Sequence(int)
    title = "Examiner guidance"
    tips = factory.LazyFunction(lambda: ["Give an example from your own service."])
    marking_points = factory.LazyFunction(lambda: ["Names at least two approaches."])
