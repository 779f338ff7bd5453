"""What a piece of evidence is mapped to: the learner proposes, before submitting; range items count one by one."""

from typing import Any

from django.db import transaction

from accounts.models import User
from audit.services import record
from centres.models import EnrolledSpecification
from portfolio.models import Evidence, EvidenceMapping
from portfolio.services import PortfolioError
from portfolio.services.evidence import lock_editable
from portfolio.signals import evidence_changed, mapping_proposed
from units.models import Criterion, RangeItem


def mapping_values(mapping: EvidenceMapping) -> dict[str, Any]:
    """A mapping as its audit entries show it."""
    specification = mapping.criterion.specification
    return {
        "specification": f"{specification.code} v{specification.version}",
        "criterion": mapping.criterion.ref,
        "range_item": mapping.range_item.ref if mapping.range_item_id and mapping.range_item else None,
    }


def check_mappable(evidence: Evidence, criterion: Criterion, range_item: RangeItem | None) -> None:
    """A line of a specification the enrolment covers: a criterion, or one of its range items when it has any.
    Whoever maps (the learner, or the assessor adding one they missed) is held to this."""
    enrolled = EnrolledSpecification.objects.filter(
        enrolment_id=evidence.enrolment_id, specification_id=criterion.specification_id
    ).exists()
    if not enrolled:
        raise PortfolioError(f"{criterion.ref} belongs to a specification this enrolment does not cover.")
    if range_item is not None and range_item.criterion_id != criterion.pk:
        raise PortfolioError(f"Range item {range_item.ref}) is not part of {criterion.ref}.")
    if range_item is None and criterion.range_items.exists():
        refs = ", ".join(f"{item.ref})" for item in criterion.range_items.all())
        raise PortfolioError(f"{criterion.ref} is met range item by range item: choose from {refs}.")


def add_mapping(
    *, user: User, evidence: Evidence, criterion: Criterion, range_item: RangeItem | None = None
) -> EvidenceMapping:
    """Propose that the evidence meets a criterion, or one range item of it."""
    with transaction.atomic():
        locked = lock_editable(evidence, user)
        check_mappable(locked, criterion, range_item)
        mapping_proposed.send(sender=Evidence, evidence=locked, criterion=criterion, range_item=range_item)
        mapping, created = EvidenceMapping.objects.get_or_create(
            evidence=locked, criterion=criterion, range_item=range_item, defaults={"created_by": user}
        )
        if not created:
            raise PortfolioError(f"{locked.reference} is already mapped to {mapping.label}.")
        values = mapping_values(mapping)
        record(
            actor=user,
            action="mapping.added",
            summary=f"{locked.reference} mapped to {values['specification']} {mapping.label}",
            subject=mapping,
            learner=locked.learner_id,
            centre=locked.centre_id,
            after=values,
        )
        evidence_changed.send(sender=Evidence, evidence=locked)
        return mapping


def remove_mapping(*, user: User, mapping: EvidenceMapping) -> None:
    with transaction.atomic():
        locked = lock_editable(mapping.evidence, user)
        subject, values = (mapping._meta.label_lower, mapping.pk), mapping_values(mapping)
        mapping.delete()
        record(
            actor=user,
            action="mapping.removed",
            summary=f"{locked.reference} no longer mapped to {values['specification']} {mapping.label}",
            subject=subject,
            learner=locked.learner_id,
            centre=locked.centre_id,
            before=values,
        )
        evidence_changed.send(sender=Evidence, evidence=locked)
