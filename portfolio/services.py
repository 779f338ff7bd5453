"""Changes to portfolios: centres, evidence, its numbering, its mappings and its submission.

Each function is one transaction; a refusal raises `PortfolioError` with a message a person can act on.
"""

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assessments.models import SignOff
from audit.services import person, record
from notifications.services import notify
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
            code=method_code,
            label=label,
            needs_witness=witness,
            is_observation=observation,
            position=position,
        )
        for position, (method_code, label, witness, observation) in enumerate(DEFAULT_METHODS, start=1)
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


def audit_values(evidence: Evidence) -> dict[str, Any]:
    """The evidence's details as its audit entries show them before and after a change."""
    method = evidence.method
    return {
        field: {"id": method.pk, "name": f"{method.code} {method.label}"}
        if field == "method"
        else getattr(evidence, field)
        for field in EVIDENCE_FIELDS
    }


def _mapping_values(mapping: EvidenceMapping) -> dict[str, Any]:
    specification = mapping.criterion.specification
    return {
        "specification": f"{specification.code} v{specification.version}",
        "criterion": mapping.criterion.ref,
        "range_item": mapping.range_item.ref if mapping.range_item_id else None,
    }


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
            evidence = Evidence.objects.create(
                enrolment=enrolment,
                centre=enrolment.centre,
                learner=learner,
                number=number,
                form_key=form_key,
                **{field: details[field] for field in EVIDENCE_FIELDS if field in details},
            )
            record(
                actor=learner,
                action="evidence.created",
                summary=f"{evidence.reference} created as a draft: {evidence.title}",
                subject=evidence,
                learner=learner,
                centre=enrolment.centre,
                after={"status": evidence.status, **audit_values(evidence)},
            )
            return evidence
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
        before = audit_values(locked)
        for field in EVIDENCE_FIELDS:
            if field in details:
                setattr(locked, field, details[field])
        locked.save()
        after = audit_values(locked)
        if changed := [field for field in EVIDENCE_FIELDS if before[field] != after[field]]:
            record(
                actor=user,
                action="evidence.updated",
                summary=f"{locked.reference} changed: {', '.join(field.replace('_', ' ') for field in changed)}",
                subject=locked,
                learner=locked.learner,
                centre=locked.enrolment.centre,
                before={field: before[field] for field in changed},
                after={field: after[field] for field in changed},
            )
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
        if SignOff.objects.filter(
            enrolment_id=locked.enrolment_id, specification_id=criterion.specification_id, voided_at=None
        ).exists():
            raise PortfolioError(
                f"{criterion.specification.code} is signed off as complete, so no more evidence is mapped to it; "
                "ask your assessor if it needs reopening."
            )
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
        values = _mapping_values(mapping)
        record(
            actor=user,
            action="mapping.added",
            summary=f"{locked.reference} mapped to {values['specification']} {mapping.label}",
            subject=mapping,
            learner=locked.learner,
            centre=locked.enrolment.centre,
            after=values,
        )
        return mapping


def remove_mapping(*, user: User, mapping: EvidenceMapping) -> None:
    with transaction.atomic():
        locked = _lock_editable(mapping.evidence, user)
        subject, values = (mapping._meta.label_lower, mapping.pk), _mapping_values(mapping)
        mapping.delete()
        record(
            actor=user,
            action="mapping.removed",
            summary=f"{locked.reference} no longer mapped to {values['specification']} {mapping.label}",
            subject=subject,
            learner=locked.learner,
            centre=locked.enrolment.centre,
            before=values,
        )


def submit_evidence(*, user: User, evidence: Evidence, declaration: bool) -> Evidence:
    """Send evidence to the assessor with the learner's declaration that it is their own work."""
    if not declaration:
        raise PortfolioError("Confirm that this is your own work before submitting.")
    with transaction.atomic():
        locked = _lock_editable(evidence, user)
        previous_status = locked.status
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
        if locked.enrolment.assessor_id:
            verb = "resubmitted" if locked.status == Evidence.Status.RESUBMITTED else "submitted"
            notify(
                recipient=locked.enrolment.assessor,
                subject=f"{locked.reference} {verb} by {user.full_name}",
                message=f"{user.full_name} {verb} {locked.reference} {locked.title} for assessment.",
                url=reverse("portfolio:evidence_detail", args=[locked.pk]),
            )
        resubmitted = locked.status == Evidence.Status.RESUBMITTED
        record(
            actor=user,
            action="evidence.resubmitted" if resubmitted else "evidence.submitted",
            summary=f"{locked.reference} {'resubmitted' if resubmitted else 'submitted'} with the learner's "
            "declaration that it is their own work",
            subject=locked,
            learner=locked.learner,
            centre=locked.enrolment.centre,
            before={"status": previous_status},
            after={
                "status": locked.status,
                "declared_by": person(user),
                "declared_at": now,
                "submitted_at": now,
            },
        )
        return locked
