"""Signatures on a unit's completion: what a signature covers, signing it, and voiding it.

The learner signs "submitted to assessor as complete", then the assessor "assessed complete"; the internal
verifier's admin check and completion confirmation (`quality.services.signatures`) sign on top, through the same
`lock_signed_roles` and `create_signature`. A signature is never changed: `void_signatures` adds a void row.
"""

import hashlib
import json
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assessments.models import Judgement, JudgementReopening, SignOff, SignOffVoid
from assessments.selectors.met import countable_states
from assessments.services import AssessmentError
from audit.checkpoints import checkpoint_after_commit
from audit.services import record
from centres.models import Enrolment
from notifications.services import notify
from portfolio.models import Evidence, EvidenceFile
from units.models import Criterion, Specification

# Views check the password first, counted by django-axes (signin.throttling); the service checks it again.
WRONG_PASSWORD = "That password is not right: your signature was not recorded."


def _lines(enrolment: Enrolment, specification: Specification) -> list[dict[str, Any]]:
    """Every line of the recording form: its ref, whether it is met and by which evidence."""
    states = countable_states(enrolments=[enrolment], specification_ids=[specification.pk]).get(
        (enrolment.pk, specification.pk), {}
    )
    criteria = (
        Criterion.objects.filter(specification=specification)
        .prefetch_related("range_items")
        .order_by("position")
    )
    lines = []
    for criterion in criteria:
        for item in criterion.range_items.all() or [None]:
            state = states.get((criterion.pk, item.pk if item else None))
            lines.append(
                {
                    "ref": f"{criterion.ref} {item.ref})" if item else criterion.ref,
                    "met": bool(state and state.met),
                    "evidence": [e.reference for e in state.met_by] if state else [],
                }
            )
    return lines


def _evidence_of(evidence_ids: set[int]) -> list[dict[str, Any]]:
    """The judged evidence with its current files' names and SHA-256."""
    files: dict[int, list[dict[str, str]]] = {}
    for evidence_file in EvidenceFile.objects.filter(evidence_id__in=evidence_ids, is_current=True).order_by(
        "pk"
    ):
        files.setdefault(evidence_file.evidence_id, []).append(
            {"name": evidence_file.original_name, "sha256": evidence_file.sha256}
        )
    return [
        {
            "number": e.reference,
            "title": e.title,
            "method": e.method.code,
            "date": e.date.isoformat(),
            "status": e.status,
            "files": files.get(e.pk, []),
        }
        for e in Evidence.objects.filter(pk__in=evidence_ids).select_related("method").order_by("number")
    ]


def covered_record(*, enrolment: Enrolment, specification: Specification) -> dict[str, Any]:
    """What a signature covers, in a canonical form: every line of the form with whether it is met and by which
    evidence, every judgement on the specification, and the evidence with its files' SHA-256."""
    judgements = list(
        Judgement.objects.filter(
            evidence__enrolment=enrolment, mapping__criterion__specification=specification
        )
        .select_related("evidence", "mapping__criterion", "mapping__range_item")
        .annotate(reopened=Exists(JudgementReopening.objects.filter(judgement_id=OuterRef("pk"))))
    )
    return {
        "specification": {
            "code": specification.code,
            "version": specification.version,
            "digest": specification.content_digest,
        },
        "learner": {"id": enrolment.learner_id, "name": enrolment.learner.full_name},
        "centre": enrolment.centre.code,
        "lines": _lines(enrolment, specification),
        "judgements": sorted(
            (
                {
                    "evidence": j.evidence.reference,
                    "ref": j.mapping.label,
                    "round": j.round,
                    "met": j.met,
                    "assessor": j.assessor_id,
                    "feedback": j.feedback,
                    # only when reopened, so that records signed before reopenings existed keep their digest
                    **({"reopened": True} if j.reopened else {}),
                }
                for j in judgements
            ),
            key=lambda j: (j["evidence"], j["ref"], j["round"]),
        ),
        "evidence": _evidence_of({j.evidence_id for j in judgements}),
    }


def digest_of(covered: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of what a signature covers (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(covered, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def candidate_payload(*, enrolment: Enrolment, specification: Specification) -> dict[str, Any]:
    """What the learner's and the assessor's signatures cover: the record, and for the assessor the learner's
    signature in force beneath theirs."""
    return covered_record(enrolment=enrolment, specification=specification)


def assessor_payload(*, enrolment: Enrolment, specification: Specification) -> dict[str, Any]:
    covered = covered_record(enrolment=enrolment, specification=specification)
    learner = SignOff.objects.in_force().get(
        enrolment=enrolment, specification=specification, role=SignOff.Role.LEARNER
    )
    covered["learner_signature"] = learner.digest
    return covered


def lock_signed_roles(enrolment: Enrolment, specification: Specification) -> set[str]:
    """Lock the enrolment, so signatures go on (and are voided) one at a time; the roles signed and in force."""
    Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if not enrolment.enrolled_specifications.filter(specification=specification).exists():
        raise AssessmentError(f"This enrolment does not cover {specification.code}.")
    return set(
        SignOff.objects.in_force()
        .filter(enrolment=enrolment, specification=specification)
        .values_list("role", flat=True)
    )


def create_signature(
    *,
    signer: User,
    enrolment: Enrolment,
    specification: Specification,
    role: str,
    covered: dict[str, Any],
    **audited: Any,
) -> SignOff:
    """Record a signature with the digest of what it covers, signed by the centre's key (`SignOff.save`), and
    its audit entry, in the caller's transaction."""
    signature = SignOff.objects.create(
        enrolment=enrolment,
        specification=specification,
        role=role,
        signer=signer,
        name_printed=signer.full_name,
        signed_at=timezone.now(),
        covered=covered,
        digest=digest_of(covered),
    )
    record(
        actor=signer,
        action="signoff.signed",
        summary=f"{specification.code} signed by {signer.full_name}: {signature.get_role_display()}",
        subject=signature,
        learner=enrolment.learner_id,
        centre=enrolment.centre_id,
        after={
            "role": role,
            "digest": signature.digest,
            "key_id": signature.key_id,
            "key_signature": signature.key_signature,
            **audited,
        },
    )
    checkpoint_after_commit(centre_id=enrolment.centre_id)  # the centre's chain, signed once this commits
    return signature


def matrix_url(enrolment: Enrolment, specification: Specification) -> str:
    return reverse("assessments:criterion_matrix", args=[enrolment.pk, specification.pk])


def _refuse_unmet(specification: Specification, covered: dict[str, Any]) -> None:
    unmet = [line["ref"] for line in covered["lines"] if not line["met"]]
    if unmet:
        shown = ", ".join(unmet[:8]) + (f" and {len(unmet) - 8} more" if len(unmet) > 8 else "")
        raise AssessmentError(
            f"{specification.code} cannot be signed off: {len(unmet)} not met yet ({shown})."
        )


def sign_off(*, user: User, enrolment: Enrolment, specification: Specification, password: str) -> SignOff:
    """The learner signs "submitted to assessor as complete", then the assessor "assessed complete"."""
    if not user.check_password(password):
        raise AssessmentError(WRONG_PASSWORD)
    if user.pk == enrolment.learner_id:
        role = SignOff.Role.LEARNER
    elif user.pk == enrolment.assessor_id:
        role = SignOff.Role.ASSESSOR
    else:
        raise AssessmentError("Only the learner and their assessor sign a unit off.")
    with transaction.atomic():
        signed = lock_signed_roles(enrolment, specification)
        if role in signed:
            raise AssessmentError(f"You have already signed {specification.code} off.")
        if role == SignOff.Role.ASSESSOR and SignOff.Role.LEARNER not in signed:
            raise AssessmentError(f"The learner signs {specification.code} as complete first.")
        payload = assessor_payload if role == SignOff.Role.ASSESSOR else candidate_payload
        covered = payload(enrolment=enrolment, specification=specification)
        _refuse_unmet(specification, covered)
        signature = create_signature(
            signer=user, enrolment=enrolment, specification=specification, role=role, covered=covered
        )
        recipient = enrolment.assessor if role == SignOff.Role.LEARNER else enrolment.learner
        if recipient is not None:
            notify(
                recipient=recipient,
                subject=f"{specification.code} signed off by {user.full_name}",
                message=f"{user.full_name} signed {specification.code} {specification.title}: "
                f"{signature.get_role_display()}.",
                url=matrix_url(enrolment, specification),
            )
        return signature


def void_signatures(
    *, signatures: list[SignOff], by: User, reason: str, summary: str, enrolment: Enrolment
) -> list[SignOffVoid]:
    """Void signatures in force with a row each that points at it (the signature itself is never changed), and
    one audit entry, in the caller's transaction. The caller holds the enrolment's lock (`lock_signed_roles`)."""
    if not signatures:
        return []
    now = timezone.now()
    voids = [
        SignOffVoid.objects.create(signature=signature, voided_by=by, voided_at=now, reason=reason)
        for signature in signatures
    ]
    record(
        actor=by,
        action="signoff.voided",
        summary=summary,
        subject=signatures[0],
        learner=enrolment.learner_id,
        centre=enrolment.centre_id,
        before={"signatures": [s.digest for s in signatures]},
        after={
            "reason": reason,
            # each void by the signature it voids: `verify_signatures` finds a void row deleted since
            "voided": [
                {"signature": void.signature_id, "void": void.pk, "key_signature": void.key_signature}
                for void in voids
            ],
        },
    )
    return voids


def reopen(*, user: User, enrolment: Enrolment, specification: Specification, reason: str) -> list[SignOff]:
    """Void the signatures on a unit so its judgements can change again; the reason is kept and audited."""
    if user.pk != enrolment.assessor_id:
        raise AssessmentError("Only the learner's assessor reopens a signed-off unit.")
    reason = reason.strip()
    if not reason:
        raise AssessmentError("Give the reason for reopening: it is kept with the voided signatures.")
    with transaction.atomic():
        lock_signed_roles(enrolment, specification)
        signatures = list(
            SignOff.objects.in_force().filter(enrolment=enrolment, specification=specification).order_by("pk")
        )
        if not signatures:
            raise AssessmentError(f"{specification.code} has no signature in force to void.")
        void_signatures(
            signatures=signatures,
            by=user,
            reason=reason,
            summary=f"{specification.code} reopened by {user.full_name}: {len(signatures)} signature(s) voided",
            enrolment=enrolment,
        )
        notify(
            recipient=enrolment.learner,
            subject=f"{specification.code} reopened",
            message=f"{user.full_name} reopened {specification.code}: {reason}",
            url=matrix_url(enrolment, specification),
        )
        return signatures
