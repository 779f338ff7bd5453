"""Evidence: its numbering, creating and changing a draft, and submitting it with the learner's declaration."""

import datetime
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.services import person, record
from centres.models import AssessmentMethod, Centre, Enrolment
from notifications.services import notify
from portfolio.models import Evidence, EvidenceSequence
from portfolio.services import EvidenceDetailsError, PortfolioError
from portfolio.services.status import RESUBMIT, SUBMIT, change_status


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


def detail_problems(*, centre_id: int, details: dict[str, Any]) -> dict[str, str]:
    """Every rule the details break, by field: the centre's active method (never an observation, which the
    assessor records), the witness testimony needs, no future date. The form shows them all at once."""
    problems: dict[str, str] = {}
    method: AssessmentMethod | None = details.get("method")
    if method is not None:
        if method.centre_id != centre_id or not method.is_active:
            problems["method"] = f"{method.code} is not an assessment method of this centre."
        elif method.is_observation:
            problems["method"] = (
                f"{method.code} ({method.label}) is recorded by your assessor when they observe your practice: "
                "choose another method for what you add yourself."
            )
        if method.needs_witness and not details.get("witness_name"):
            problems["witness_name"] = f"{method.label} needs the witness's name."
        if method.needs_witness and not details.get("witness_role"):
            problems["witness_role"] = f"{method.label} needs the witness's job role."
    date: datetime.date | None = details.get("date")
    if date is not None and date > timezone.localdate():
        problems["date"] = "The evidence date cannot be in the future."
    return problems


def _check_details(enrolment: Enrolment, details: dict[str, Any]) -> None:
    if problems := detail_problems(centre_id=enrolment.centre_id, details=details):
        raise EvidenceDetailsError(problems)


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


def lock_editable(evidence: Evidence, user: User) -> Evidence:
    """The evidence row, locked, if the learner may still change it."""
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
        locked = lock_editable(evidence, user)
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


def submit_evidence(*, user: User, evidence: Evidence, declaration: bool) -> Evidence:
    """Send evidence to the assessor with the learner's declaration that it is their own work."""
    if not declaration:
        raise PortfolioError("Confirm that this is your own work before submitting.")
    with transaction.atomic():
        locked = lock_editable(evidence, user)
        if not locked.mappings.exists():
            raise PortfolioError("Map the evidence to at least one criterion before submitting.")
        if not locked.narrative.strip() and not locked.files.filter(is_current=True).exists():
            raise PortfolioError("Add a file or a written account before submitting.")
        now = timezone.now()
        transition = RESUBMIT if locked.status == Evidence.Status.REFERRED else SUBMIT
        change_status(
            evidence=locked,
            transition=transition,
            by=user,
            summary=f"{locked.reference} {transition.verb} with the learner's declaration that it is their own work",
            audited={"declared_by": person(user), "declared_at": now, "submitted_at": now},
            declared_at=now,
            declared_by=user,
            submitted_at=now,
        )
        assessor = locked.enrolment.assessor
        if assessor is not None:
            notify(
                recipient=assessor,
                subject=f"{locked.reference} {transition.verb} by {user.full_name}",
                message=f"{user.full_name} {transition.verb} {locked.reference} {locked.title} for assessment.",
                url=reverse("portfolio:evidence_detail", args=[locked.pk]),
            )
        return locked


def add_observed_evidence(
    *,
    assessor: User,
    enrolment: Enrolment,
    method: AssessmentMethod,
    title: str,
    date: datetime.date,
    narrative: str,
    assessment_site: str,
    remote: bool = False,
) -> Evidence:
    """A direct observation recorded by the assessor: the learner's next number, accepted as it is made (the
    assessor's own judgements and audit entry go with it, in the caller's transaction)."""
    now = timezone.now()
    return Evidence.objects.create(
        enrolment=enrolment,
        centre=enrolment.centre,
        learner=enrolment.learner,
        number=next_evidence_number(centre=enrolment.centre, learner=enrolment.learner),
        title=title,
        date=date,
        method=method,
        narrative=narrative,
        assessment_site=assessment_site,
        status=Evidence.Status.ACCEPTED,
        recorded_by=assessor,
        observed_remotely=remote,
        submitted_at=now,
    )
