"""The portfolio's answers to the floor below's signals (connected in `PortfolioConfig.ready`)."""

from typing import Any

from centres.models import Enrolment
from centres.services import CentreError
from portfolio.models import EvidenceMapping
from units.models import Specification


def keep_specifications_with_evidence(
    *, enrolment: Enrolment, specifications: list[Specification], **kwargs: Any
) -> None:
    """A specification stays on an enrolment once evidence is mapped to its criteria: taking it off would orphan
    the mappings (and with them the judgements and signatures on it)."""
    mapped = (
        EvidenceMapping.objects.filter(
            evidence__enrolment=enrolment, criterion__specification__in=specifications
        )
        .values_list("criterion__specification_id", "evidence__number")
        .order_by("evidence__number")
        .distinct()
    )
    numbers: dict[int, list[int]] = {}
    for specification_id, number in mapped:
        numbers.setdefault(specification_id, []).append(number)
    for specification in specifications:
        if refs := numbers.get(specification.pk):
            evidence = ", ".join(f"E{number}" for number in refs)
            raise CentreError(
                f"{specification.code} version {specification.version} stays on this enrolment: evidence "
                f"{evidence} is mapped to its criteria. A specification cannot be removed once evidence is "
                "mapped to it."
            )
