"""The internal verifier's signatures on the recording form: the admin check and unit completion confirmed, both
after an agreed summative sample, on top of the learner's and the assessor's (`assessments.services.signatures`).

`payload_for` says what any signature on a unit covers, whichever its role: the signing services and
`records.verification.signatures` both ask it.
"""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from assessments.models import Judgement, SignOff
from assessments.services.signatures import (
    WRONG_PASSWORD,
    assessor_payload,
    candidate_payload,
    covered_record,
    create_signature,
    lock_signed_roles,
    matrix_url,
)
from centres.models import Enrolment
from notifications.services import notify
from quality.models import Sample, SampleDecision
from quality.rules import assessed_by
from quality.services import QualityError
from units.models import Specification


def agreed_summative_decision(*, enrolment: Enrolment, specification: Specification) -> SampleDecision | None:
    """The first summative sample decision agreeing with the assessor since the assessor's signature in force."""
    assessor = (
        SignOff.objects.in_force()
        .filter(enrolment=enrolment, specification=specification, role=SignOff.Role.ASSESSOR)
        .first()
    )
    if assessor is None:
        return None
    return (
        SampleDecision.objects.filter(
            sample__enrolment=enrolment,
            sample__specification=specification,
            sample__kind=Sample.Kind.SUMMATIVE,
            agrees=True,
            decided_at__gte=assessor.signed_at,
        )
        .order_by("decided_at", "pk")
        .first()
    )


def verification_payload(enrolment: Enrolment, specification: Specification, role: str) -> dict[str, Any]:
    """What an IV's signature covers beyond the record: the signatures it confirms and the agreed sample."""
    in_force = {
        s.role: s.digest
        for s in SignOff.objects.in_force().filter(enrolment=enrolment, specification=specification)
    }
    decision = agreed_summative_decision(enrolment=enrolment, specification=specification)
    payload: dict[str, Any] = {
        "learner_signature": in_force.get(SignOff.Role.LEARNER),
        "assessor_signature": in_force.get(SignOff.Role.ASSESSOR),
        "summative_sample": None
        if decision is None
        else {
            "sample": decision.sample_id,
            "internal_verifier": decision.internal_verifier_id,
            "decided_at": decision.decided_at.isoformat(),
            "agrees": decision.agrees,
            "vacs": [decision.valid, decision.authentic, decision.current, decision.sufficient],
            "feedback": decision.feedback,
            "judgements": sorted(decision.judgements.values_list("pk", flat=True)),
        },
    }
    if role == SignOff.Role.COMPLETION:
        payload["admin_check_signature"] = in_force.get(SignOff.Role.ADMIN_CHECK)
    return payload


def payload_for(
    *, enrolment: Enrolment, specification: Specification, role: str, checked_on: str | None = None
) -> dict[str, Any]:
    """What a signature of `role` on the unit covers now (for the admin check, dated `checked_on`)."""
    if role == SignOff.Role.LEARNER:
        return candidate_payload(enrolment=enrolment, specification=specification)
    if role == SignOff.Role.ASSESSOR:
        return assessor_payload(enrolment=enrolment, specification=specification)
    covered = covered_record(enrolment=enrolment, specification=specification)
    covered.update(verification_payload(enrolment, specification, role))
    if role == SignOff.Role.ADMIN_CHECK:
        covered["checked_on"] = checked_on
    return covered


def refuse_self_verification(*, iv: User, enrolment: Enrolment, specification: Specification) -> None:
    """An internal verifier never verifies decisions they made as the learner's assessor."""
    judgements = Judgement.objects.filter(
        evidence__enrolment=enrolment, mapping__criterion__specification=specification
    )
    if assessed_by(iv.pk, enrolment=enrolment, judgements=judgements):
        raise QualityError(
            f"You made assessment decisions on {enrolment.learner}'s {specification.code}: an internal "
            "verifier never verifies their own decisions. Another internal verifier must do it."
        )


def _refuse_out_of_order(
    *, iv: User, enrolment: Enrolment, specification: Specification, role: str, signed: set[str]
) -> None:
    """Each IV signature once, after the learner's and the assessor's and an agreed summative sample, by the
    learner's IV or the one who agreed that sample; completion only after the admin check."""
    label = (
        "Completion can be confirmed"
        if role == SignOff.Role.COMPLETION
        else "The admin check can be recorded"
    )
    if role in signed:
        done = "Unit completion" if role == SignOff.Role.COMPLETION else "The admin check"
        raise QualityError(f"{done} of {specification.code} is already recorded.")
    if not {SignOff.Role.LEARNER, SignOff.Role.ASSESSOR} <= signed:
        raise QualityError(
            f"{label} only after the learner and the assessor have signed {specification.code} off."
        )
    decision = agreed_summative_decision(enrolment=enrolment, specification=specification)
    if decision is None:
        raise QualityError(f"{label} only after a summative sample of {specification.code} is agreed.")
    if iv.pk not in (enrolment.internal_verifier_id, decision.internal_verifier_id):
        raise QualityError(
            "Only the learner's internal verifier, or the one who agreed the summative sample, signs this."
        )
    if role == SignOff.Role.COMPLETION and SignOff.Role.ADMIN_CHECK not in signed:
        raise QualityError(f"Record the admin check of {specification.code} first.")


def _iv_sign(
    *,
    iv: User,
    enrolment: Enrolment,
    specification: Specification,
    password: str,
    role: str,
    checked_on: datetime.date | None = None,
) -> SignOff:
    """The admin check and completion, which share their checks, their signing and the assessor's notice."""
    if not iv.check_password(password):
        raise QualityError(WRONG_PASSWORD)
    refuse_self_verification(iv=iv, enrolment=enrolment, specification=specification)
    with transaction.atomic():
        signed = lock_signed_roles(enrolment, specification)
        _refuse_out_of_order(
            iv=iv, enrolment=enrolment, specification=specification, role=role, signed=signed
        )
        covered = payload_for(
            enrolment=enrolment,
            specification=specification,
            role=role,
            checked_on=checked_on.isoformat() if checked_on else None,
        )
        signature = create_signature(
            signer=iv,
            enrolment=enrolment,
            specification=specification,
            role=role,
            covered=covered,
            checked_on=covered.get("checked_on"),
        )
        told = [enrolment.assessor] if enrolment.assessor is not None else []
        if role == SignOff.Role.COMPLETION:  # the learner hears that their unit is complete
            told.append(enrolment.learner)
        for recipient in told:
            notify(
                recipient=recipient,
                subject=f"{specification.code}: {signature.get_role_display().lower()}",
                message=f"{iv.full_name} signed {specification.code} {specification.title}: "
                f"{signature.get_role_display()}.",
                url=matrix_url(enrolment, specification),
            )
        return signature


def record_admin_check(
    *,
    iv: User,
    enrolment: Enrolment,
    specification: Specification,
    password: str,
    checked_on: datetime.date,
) -> SignOff:
    """The IV's admin check of the completed unit (date, signed), after an agreed summative sample."""
    if checked_on > timezone.localdate():
        raise QualityError("The admin check cannot be dated in the future.")
    return _iv_sign(
        iv=iv,
        enrolment=enrolment,
        specification=specification,
        password=password,
        role=SignOff.Role.ADMIN_CHECK,
        checked_on=checked_on,
    )


def confirm_completion(
    *, iv: User, enrolment: Enrolment, specification: Specification, password: str
) -> SignOff:
    """The IV confirms unit completion: the last signature on the form, covering every one before it."""
    return _iv_sign(
        iv=iv,
        enrolment=enrolment,
        specification=specification,
        password=password,
        role=SignOff.Role.COMPLETION,
    )
