"""Changes to portfolios: centres, evidence, its numbering, its mappings and its submission.

Each function is one transaction; a refusal raises `PortfolioError` with a message a person can act on.
"""

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from portfolio.models import (
    AssessmentMethod,
    Centre,
    EnrolledSpecification,
    Enrolment,
    Evidence,
    EvidenceMapping,
    EvidenceSequence,
)
from units.models import Criterion, RangeItem


class PortfolioError(Exception):
    """A change the rules do not allow; the message says why and what to do."""


DEFAULT_METHODS = (
    # code, label, needs_witness, is_observation
    ("OBS", "Direct observation", False, True),
    ("PD", "Professional discussion", False, False),
    ("RA", "Reflective account", False, False),
    ("WT", "Witness testimony", True, False),
    ("EW", "Expert witness", True, False),
    ("PE", "Product evidence", False, False),
    ("Q&A", "Questioning", False, False),
    ("RPL", "Recognition of prior learning", False, False),
)


@transaction.atomic
def create_centre(*, name: str, code: str) -> Centre:
    """A centre starts with the usual assessment methods, which it may then relabel or extend."""
    centre = Centre.objects.create(name=name, code=code)
    AssessmentMethod.objects.bulk_create(
        AssessmentMethod(
            centre=centre,
            code=code,
            label=label,
            needs_witness=witness,
            is_observation=observation,
            position=position,
        )
        for position, (code, label, witness, observation) in enumerate(DEFAULT_METHODS, start=1)
    )
    return centre


def next_evidence_number(*, centre: Centre, learner: User) -> int:
    """Take the learner's next number under a row lock: never reused, never handed out twice."""
    try:
        with transaction.atomic():
            EvidenceSequence.objects.get_or_create(centre=centre, learner=learner)
    except IntegrityError:
        pass  # created by a concurrent request: the locked update below serialises us behind it
    sequence = EvidenceSequence.objects.select_for_update().get(centre=centre, learner=learner)
    sequence.last_number = F("last_number") + 1
    sequence.save(update_fields=["last_number"])
    sequence.refresh_from_db(fields=["last_number"])
    return sequence.last_number


EVIDENCE_FIELDS = (
    "title",
    "date",
    "method",
    "narrative",
    "witness_name",
    "witness_role",
    "witness_relationship",
    "assessment_site",
)


def _check_details(enrolment: Enrolment, details: dict[str, Any]) -> None:
    method: AssessmentMethod = details["method"]
    if method.centre_id != enrolment.centre_id or not method.is_active:
        raise PortfolioError(f"{method.code} is not an assessment method of {enrolment.centre}.")
    if method.needs_witness and not (details.get("witness_name") and details.get("witness_role")):
        raise PortfolioError(f"{method.label} needs the witness's name and role.")
    if details["date"] > timezone.localdate():
        raise PortfolioError("The evidence date cannot be in the future.")


def create_evidence(
    *, learner: User, enrolment: Enrolment, form_key: uuid.UUID | None = None, **details: Any
) -> Evidence:
    """A new draft with the learner's next evidence number; the same form posted twice gives the same piece."""
    if learner.pk != enrolment.learner_id:
        raise PortfolioError("Evidence can only be added to your own portfolio.")
    if not enrolment.is_active:
        raise PortfolioError(f"This enrolment is {enrolment.get_status_display().lower()}: no new evidence.")
    _check_details(enrolment, details)
    if form_key and (earlier := Evidence.objects.filter(learner=learner, form_key=form_key).first()):
        return earlier
    try:
        with transaction.atomic():
            number = next_evidence_number(centre=enrolment.centre, learner=learner)
            return Evidence.objects.create(
                enrolment=enrolment,
                centre=enrolment.centre,
                learner=learner,
                number=number,
                form_key=form_key,
                **{field: details[field] for field in EVIDENCE_FIELDS if field in details},
            )
    except IntegrityError:
        if form_key and (earlier := Evidence.objects.filter(learner=learner, form_key=form_key).first()):
            return earlier  # the twin post won the race; its number stands, ours was rolled back
        raise


def _lock_editable(evidence: Evidence, user: User) -> Evidence:
    locked = Evidence.objects.select_for_update().select_related("enrolment").get(pk=evidence.pk)
    if user.pk != locked.learner_id:
        raise PortfolioError("Only the learner can change their evidence.")
    if not locked.is_editable:
        raise PortfolioError(
            f"{locked.reference} is {locked.get_status_display().lower()}: it cannot be changed until the "
            "assessor refers it back."
        )
    return locked


def update_evidence(*, user: User, evidence: Evidence, **details: Any) -> Evidence:
    """Change a draft's (or referred evidence's) details; judged evidence is never changed in place."""
    with transaction.atomic():
        locked = _lock_editable(evidence, user)
        _check_details(locked.enrolment, details)
        for field in EVIDENCE_FIELDS:
            if field in details:
                setattr(locked, field, details[field])
        locked.save()
        return locked


def add_mapping(
    *, user: User, evidence: Evidence, criterion: Criterion, range_item: RangeItem | None = None
) -> EvidenceMapping:
    """Propose that the evidence meets a criterion, or one range item of it; range items count one by one."""
    with transaction.atomic():
        locked = _lock_editable(evidence, user)
        enrolled = EnrolledSpecification.objects.filter(
            enrolment_id=locked.enrolment_id, specification_id=criterion.specification_id
        ).exists()
        if not enrolled:
            raise PortfolioError(f"{criterion.ref} belongs to a specification this enrolment does not cover.")
        if range_item is not None and range_item.criterion_id != criterion.pk:
            raise PortfolioError(f"Range item {range_item.ref}) is not part of {criterion.ref}.")
        if range_item is None and criterion.range_items.exists():
            refs = ", ".join(f"{item.ref})" for item in criterion.range_items.all())
            raise PortfolioError(f"{criterion.ref} is met range item by range item: choose from {refs}.")
        mapping, created = EvidenceMapping.objects.get_or_create(
            evidence=locked, criterion=criterion, range_item=range_item, defaults={"created_by": user}
        )
        if not created:
            raise PortfolioError(f"{locked.reference} is already mapped to {mapping.label}.")
        return mapping


def remove_mapping(*, user: User, mapping: EvidenceMapping) -> None:
    with transaction.atomic():
        _lock_editable(mapping.evidence, user)
        mapping.delete()


def submit_evidence(*, user: User, evidence: Evidence, declaration: bool) -> Evidence:
    """Send evidence to the assessor with the learner's declaration that it is their own work."""
    if not declaration:
        raise PortfolioError("Confirm that this is your own work before submitting.")
    with transaction.atomic():
        locked = _lock_editable(evidence, user)
        if not locked.mappings.exists():
            raise PortfolioError("Map the evidence to at least one criterion before submitting.")
        if not locked.narrative.strip() and not locked.files.filter(is_current=True).exists():
            raise PortfolioError("Add a file or a written account before submitting.")
        now = timezone.now()
        locked.status = (
            Evidence.Status.RESUBMITTED
            if locked.status == Evidence.Status.REFERRED
            else Evidence.Status.SUBMITTED
        )
        locked.declared_at = locked.submitted_at = now
        locked.declared_by = user
        locked.save(update_fields=["status", "declared_at", "declared_by", "submitted_at", "updated_at"])
        return locked
