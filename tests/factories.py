"""Factories for people and for specification documents of any size."""

from typing import Any

import factory

from accounts.models import User
from units import spec_format
from units.models import Specification
from units.services import import_specification

DEFAULT_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save_password(obj, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


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
        "format": spec_format.FORMAT,
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
    document = specification_document(**kwargs)
    return import_specification(document=document, source="factory").specification
