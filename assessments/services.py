"""Assessors' decisions and unit sign-off. Each function is one transaction and writes its audit entries in it.

Refusals raise `AssessmentError` (or a subclass) with a message a person can act on.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assessments.models import Judgement, Review, Sample, SampleDecision, SignOff
from assessments.selectors import AWAITING, countable_states, current_round, signed_specification_ids
from audit.services import record
from notifications.services import notify
from portfolio.models import EnrolledSpecification, Enrolment, Evidence, EvidenceFile, EvidenceMapping
from portfolio.services import PortfolioError, next_evidence_number
from units.models import Criterion, RangeItem, Specification


class AssessmentError(PortfolioError):
    """An assessment change the rules do not allow."""


class StaleFormError(AssessmentError):
    """Someone else changed the evidence since the form was shown: nothing was overwritten."""


class SignedOffError(AssessmentError):
    """The judgement is covered by a signature in force: reopen the unit first."""


def _evidence_url(evidence: Evidence) -> str:
    return reverse("portfolio:evidence_detail", args=[evidence.pk])


def _lock_for_assessment(*, assessor: User, evidence: Evidence, version: int) -> Evidence:
    """The evidence row, locked, after every check an assessor's change needs."""
    locked = (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("enrolment", "learner")
        .get(pk=evidence.pk)
    )
    if assessor.pk == locked.learner_id:
        raise AssessmentError("You cannot judge your own evidence.")
    if assessor.pk != locked.enrolment.assessor_id:
        raise AssessmentError(f"{locked.learner} is not on your caseload.")
    if locked.version != version:
        raise StaleFormError(
            f"{locked.reference} was changed by someone else while you had it open, so your changes were not "
            "saved. The current state is shown: check it and judge again."
        )
    if locked.status not in AWAITING:
        raise AssessmentError(
            f"{locked.reference} is {locked.get_status_display().lower()}: only submitted evidence is judged."
        )
    return locked


def _refuse_if_signed(evidence: Evidence, specification_ids: set[int]) -> None:
    frozen = signed_specification_ids(enrolment_id=evidence.enrolment_id) & specification_ids
    if frozen:
        codes = ", ".join(Specification.objects.filter(pk__in=frozen).values_list("code", flat=True))
        raise SignedOffError(
            f"{evidence.reference} is covered by the sign-off of {codes}: its judgements are frozen. "
            "Reopen the unit, with a reason, to change them."
        )


def _bump(evidence: Evidence) -> None:
    Evidence.objects.filter(pk=evidence.pk).update(version=F("version") + 1, updated_at=timezone.now())
    evidence.refresh_from_db(fields=["version", "status", "updated_at"])


@dataclass(frozen=True)
class Decision:
    """One mapping's judgement as the assessor entered it; `met=None` leaves it unjudged."""

    mapping_id: int
    met: bool | None
    feedback: str = ""


def save_judgements(
    *, assessor: User, evidence: Evidence, version: int, decisions: list[Decision]
) -> Evidence:
    """Record (or revise, within this round) the assessor's judgement of each mapping."""
    with transaction.atomic():
        locked = _lock_for_assessment(assessor=assessor, evidence=evidence, version=version)
        mappings = {m.pk: m for m in locked.mappings.select_related("criterion", "range_item")}
        unknown = [d.mapping_id for d in decisions if d.mapping_id not in mappings]
        if unknown:
            raise StaleFormError(
                f"A criterion you judged is no longer mapped to {locked.reference}. The current state is shown."
            )
        chosen = [d for d in decisions if d.met is not None]
        _refuse_if_signed(locked, {mappings[d.mapping_id].criterion.specification_id for d in chosen})
        round_now = current_round(locked)
        now = timezone.now()
        for decision in chosen:
            mapping = mappings[decision.mapping_id]
            judgement = Judgement.objects.filter(mapping=mapping, round=round_now).first()
            before = {"met": judgement.met, "feedback": judgement.feedback} if judgement else None
            after = {"met": decision.met, "feedback": decision.feedback.strip()}
            if before == after:
                continue
            Judgement.objects.update_or_create(
                mapping=mapping,
                round=round_now,
                defaults={
                    "evidence": locked,
                    "met": decision.met,
                    "feedback": decision.feedback.strip(),
                    "assessor": assessor,
                    "judged_at": now,
                },
            )
            record(
                actor=assessor,
                action="judgement.recorded",
                summary=(
                    f"{mapping.criterion.specification.code} {mapping.label} judged "
                    f"{'met' if decision.met else 'not yet met'} on {locked.reference} (round {round_now})"
                ),
                subject=mapping,
                learner=locked.learner,
                centre=locked.enrolment.centre,
                before=before,
                after=after,
            )
        _bump(locked)
        return locked


def decide(*, assessor: User, evidence: Evidence, version: int, accept: bool, feedback: str) -> Review:
    """Close this round: accept the evidence, or refer it back to the learner with feedback."""
    feedback = feedback.strip()
    with transaction.atomic():
        locked = _lock_for_assessment(assessor=assessor, evidence=evidence, version=version)
        round_now = current_round(locked)
        mapping_ids = set(locked.mappings.values_list("pk", flat=True))
        judged = {j.mapping_id: j for j in Judgement.objects.filter(evidence=locked, round=round_now)}
        if not mapping_ids:
            raise AssessmentError(
                f"{locked.reference} is not mapped to any criterion: refer it back instead."
            )
        if mapping_ids - set(judged):
            missing = len(mapping_ids - set(judged))
            raise AssessmentError(f"Judge every criterion first: {missing} not judged yet in this round.")
        if accept and not any(j.met for j in judged.values()):
            raise AssessmentError(
                f"None of {locked.reference}'s criteria is judged met: refer it back with feedback instead."
            )
        if not accept and not feedback and not any(j.feedback for j in judged.values()):
            raise AssessmentError(
                "Say what the learner should do: feedback is needed to refer evidence back."
            )
        before = locked.status
        locked.status = Evidence.Status.ACCEPTED if accept else Evidence.Status.REFERRED
        locked.save(update_fields=["status", "updated_at"])
        review = Review.objects.create(
            evidence=locked,
            round=round_now,
            decision=Review.Decision.ACCEPTED if accept else Review.Decision.REFERRED,
            feedback=feedback,
            assessor=assessor,
            decided_at=timezone.now(),
        )
        record(
            actor=assessor,
            action="evidence.accepted" if accept else "evidence.referred",
            summary=f"{locked.reference} {'accepted' if accept else 'referred back'} (round {round_now})",
            subject=locked,
            learner=locked.learner,
            centre=locked.enrolment.centre,
            before={"status": before},
            after={"status": locked.status, "feedback": feedback},
        )
        _bump(locked)
        notify(
            recipient=locked.learner,
            subject=f"Feedback on {locked.reference}: {'accepted' if accept else 'referred back'}",
            message=(
                f"{assessor.full_name} has {'accepted' if accept else 'referred back'} {locked.reference} "
                f"“{locked.title}”." + (f"\n\n{feedback}" if feedback else "")
            ),
            url=_evidence_url(locked),
        )
        return review


def add_mapping(
    *, assessor: User, evidence: Evidence, version: int, criterion: Criterion, range_item: RangeItem | None
) -> EvidenceMapping:
    """An assessor may map submitted evidence to a criterion the learner missed."""
    with transaction.atomic():
        locked = _lock_for_assessment(assessor=assessor, evidence=evidence, version=version)
        if not EnrolledSpecification.objects.filter(
            enrolment_id=locked.enrolment_id, specification_id=criterion.specification_id
        ).exists():
            raise AssessmentError(
                f"{criterion.ref} belongs to a specification this enrolment does not cover."
            )
        _refuse_if_signed(locked, {criterion.specification_id})
        if range_item is not None and range_item.criterion_id != criterion.pk:
            raise AssessmentError(f"Range item {range_item.ref}) is not part of {criterion.ref}.")
        if range_item is None and criterion.range_items.exists():
            raise AssessmentError(f"{criterion.ref} is met range item by range item: choose one.")
        try:
            with transaction.atomic():
                mapping = EvidenceMapping.objects.create(
                    evidence=locked, criterion=criterion, range_item=range_item, created_by=assessor
                )
        except IntegrityError:
            raise AssessmentError(f"{locked.reference} is already mapped to that criterion.") from None
        record(
            actor=assessor,
            action="mapping.added",
            summary=f"{criterion.specification.code} {mapping.label} mapped to {locked.reference} by the assessor",
            subject=mapping,
            learner=locked.learner,
            centre=locked.enrolment.centre,
            after={"criterion": criterion.ref, "range_item": range_item.ref if range_item else None},
        )
        _bump(locked)
        return mapping


def remove_mapping(*, assessor: User, mapping: EvidenceMapping, version: int) -> None:
    with transaction.atomic():
        locked = _lock_for_assessment(assessor=assessor, evidence=mapping.evidence, version=version)
        _refuse_if_signed(locked, {mapping.criterion.specification_id})
        if Judgement.objects.filter(mapping=mapping, round__lt=current_round(locked)).exists():
            raise AssessmentError(
                f"{mapping.label} was judged in an earlier round: it stays, with its history. Judge it not met "
                "instead."
            )
        record(
            actor=assessor,
            action="mapping.removed",
            summary=f"{mapping.criterion.specification.code} {mapping.label} removed from {locked.reference} by the assessor",
            subject=mapping,
            learner=locked.learner,
            centre=locked.enrolment.centre,
            before={
                "criterion": mapping.criterion.ref,
                "range_item": mapping.range_item.ref if mapping.range_item else None,
            },
        )
        mapping.delete()
        _bump(locked)


def record_observation(
    *,
    assessor: User,
    enrolment: Enrolment,
    date: Any,
    setting: str,
    observed: str,
    title: str,
    targets: list[tuple[Criterion, RangeItem | None]],
) -> Evidence:
    """A direct observation becomes accepted OBS evidence in the learner's portfolio, judged met as observed."""
    if assessor.pk != enrolment.assessor_id:
        raise AssessmentError(f"{enrolment.learner} is not on your caseload.")
    if not targets:
        raise AssessmentError("Choose at least one criterion the observation showed.")
    observation = enrolment.centre.methods.filter(is_observation=True, is_active=True).first()
    if observation is None:
        raise AssessmentError("This centre has no direct observation method: ask the centre administrator.")
    with transaction.atomic():
        evidence = Evidence.objects.create(
            enrolment=enrolment,
            centre=enrolment.centre,
            learner=enrolment.learner,
            number=next_evidence_number(centre=enrolment.centre, learner=enrolment.learner),
            title=title,
            date=date,
            method=observation,
            narrative=observed,
            assessment_site=setting,
            status=Evidence.Status.ACCEPTED,
            recorded_by=assessor,
            submitted_at=timezone.now(),
        )
        enrolled = set(enrolment.enrolled_specifications.values_list("specification_id", flat=True))
        _refuse_if_signed(evidence, {criterion.specification_id for criterion, _ in targets})
        now = timezone.now()
        for criterion, range_item in targets:
            if criterion.specification_id not in enrolled:
                raise AssessmentError(
                    f"{criterion.ref} belongs to a specification this enrolment does not cover."
                )
            mapping = EvidenceMapping.objects.create(
                evidence=evidence, criterion=criterion, range_item=range_item, created_by=assessor
            )
            Judgement.objects.create(
                mapping=mapping, evidence=evidence, round=1, met=True, assessor=assessor, judged_at=now
            )
        Review.objects.create(
            evidence=evidence, round=1, decision=Review.Decision.ACCEPTED, assessor=assessor, decided_at=now
        )
        record(
            actor=assessor,
            action="observation.recorded",
            summary=f"{evidence.reference} direct observation recorded by {assessor.full_name}",
            subject=evidence,
            learner=enrolment.learner,
            centre=enrolment.centre,
            after={
                "criteria": [
                    f"{c.specification.code} {c.ref}" + (f" {r.ref})" if r else "") for c, r in targets
                ],
                "setting": setting,
            },
        )
        notify(
            recipient=enrolment.learner,
            subject=f"{evidence.reference}: observation recorded",
            message=f"{assessor.full_name} recorded a direct observation of your practice ({title}).",
            url=_evidence_url(evidence),
        )
        return evidence


# Sign-off


def covered_record(*, enrolment: Enrolment, specification: Specification) -> dict[str, Any]:
    """What a signature covers, in a canonical form: every line of the form with whether it is met and by which
    evidence, every judgement on the specification, and the evidence with its files' SHA-256."""
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
    judgements = Judgement.objects.filter(
        evidence__enrolment=enrolment, mapping__criterion__specification=specification
    ).select_related("evidence", "mapping__criterion", "mapping__range_item")
    evidence_ids = {j.evidence_id for j in judgements}
    files = EvidenceFile.objects.filter(evidence_id__in=evidence_ids, is_current=True).order_by("pk")
    evidence_files: dict[int, list[dict[str, str]]] = {}
    for evidence_file in files:
        evidence_files.setdefault(evidence_file.evidence_id, []).append(
            {"name": evidence_file.original_name, "sha256": evidence_file.sha256}
        )
    evidence = Evidence.objects.filter(pk__in=evidence_ids).select_related("method").order_by("number")
    return {
        "specification": {
            "code": specification.code,
            "version": specification.version,
            "digest": specification.content_digest,
        },
        "learner": {"id": enrolment.learner_id, "name": enrolment.learner.full_name},
        "centre": enrolment.centre.code,
        "lines": lines,
        "judgements": sorted(
            (
                {
                    "evidence": j.evidence.reference,
                    "ref": j.mapping.label,
                    "round": j.round,
                    "met": j.met,
                    "assessor": j.assessor_id,
                    "feedback": j.feedback,
                }
                for j in judgements
            ),
            key=lambda j: (j["evidence"], j["ref"], j["round"]),
        ),
        "evidence": [
            {
                "number": e.reference,
                "title": e.title,
                "method": e.method.code,
                "date": e.date.isoformat(),
                "status": e.status,
                "files": evidence_files.get(e.pk, []),
            }
            for e in evidence
        ],
    }


def digest_of(covered: dict[str, Any]) -> str:
    canonical = json.dumps(covered, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _signature_payload(
    enrolment: Enrolment, specification: Specification, role: str, checked_on: str | None = None
) -> dict[str, Any]:
    covered = covered_record(enrolment=enrolment, specification=specification)
    if role == SignOff.Role.ASSESSOR:
        learner = SignOff.objects.get(
            enrolment=enrolment, specification=specification, role=SignOff.Role.LEARNER, voided_at=None
        )
        covered["learner_signature"] = learner.digest
    if role in (SignOff.Role.ADMIN_CHECK, SignOff.Role.COMPLETION):
        covered.update(_verification_payload(enrolment, specification, role))
        if role == SignOff.Role.ADMIN_CHECK:
            covered["checked_on"] = checked_on
    return covered


def _signed_roles(enrolment: Enrolment, specification: Specification) -> set[str]:
    """Lock the enrolment, so signatures go on one at a time, and read the roles signed and in force."""
    Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if not enrolment.enrolled_specifications.filter(specification=specification).exists():
        raise AssessmentError(f"This enrolment does not cover {specification.code}.")
    return set(
        SignOff.objects.filter(enrolment=enrolment, specification=specification, voided_at=None).values_list(
            "role", flat=True
        )
    )


def _create_signature(
    *,
    signer: User,
    enrolment: Enrolment,
    specification: Specification,
    role: str,
    covered: dict[str, Any],
    **audited: Any,
) -> SignOff:
    """Record a signature with the digest of what it covers, and its audit entry, in the caller's transaction."""
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
        learner=enrolment.learner,
        centre=enrolment.centre,
        after={"role": role, "digest": signature.digest, **audited},
    )
    return signature


def sign_off(*, user: User, enrolment: Enrolment, specification: Specification, password: str) -> SignOff:
    """The learner signs "submitted to assessor as complete", then the assessor "assessed complete"."""
    if not user.check_password(password):
        raise AssessmentError("That password is not right: your signature was not recorded.")
    if user.pk == enrolment.learner_id:
        role = SignOff.Role.LEARNER
    elif user.pk == enrolment.assessor_id:
        role = SignOff.Role.ASSESSOR
    else:
        raise AssessmentError("Only the learner and their assessor sign a unit off.")
    with transaction.atomic():
        signed = _signed_roles(enrolment, specification)
        if role in signed:
            raise AssessmentError(f"You have already signed {specification.code} off.")
        if role == SignOff.Role.ASSESSOR and SignOff.Role.LEARNER not in signed:
            raise AssessmentError(f"The learner signs {specification.code} as complete first.")
        covered = _signature_payload(enrolment, specification, role)
        unmet = [line["ref"] for line in covered["lines"] if not line["met"]]
        if unmet:
            shown = ", ".join(unmet[:8]) + (f" and {len(unmet) - 8} more" if len(unmet) > 8 else "")
            raise AssessmentError(
                f"{specification.code} cannot be signed off: {len(unmet)} not met yet ({shown})."
            )
        signature = _create_signature(
            signer=user, enrolment=enrolment, specification=specification, role=role, covered=covered
        )
        url = reverse("portfolio:criterion_matrix", args=[enrolment.pk, specification.pk])
        recipient = enrolment.assessor if role == SignOff.Role.LEARNER else enrolment.learner
        if recipient is not None:
            notify(
                recipient=recipient,
                subject=f"{specification.code} signed off by {user.full_name}",
                message=f"{user.full_name} signed {specification.code} {specification.title}: "
                f"{signature.get_role_display()}.",
                url=url,
            )
        return signature


def reopen(*, user: User, enrolment: Enrolment, specification: Specification, reason: str) -> list[SignOff]:
    """Void the signatures on a unit so its judgements can change again; the reason is kept and audited."""
    if user.pk != enrolment.assessor_id:
        raise AssessmentError("Only the learner's assessor reopens a signed-off unit.")
    reason = reason.strip()
    if not reason:
        raise AssessmentError("Give the reason for reopening: it is kept with the voided signatures.")
    with transaction.atomic():
        signatures = list(
            SignOff.objects.select_for_update().filter(
                enrolment=enrolment, specification=specification, voided_at=None
            )
        )
        if not signatures:
            raise AssessmentError(f"{specification.code} has no signature in force to void.")
        now = timezone.now()
        for signature in signatures:
            signature.voided_at, signature.voided_by, signature.void_reason = now, user, reason
            signature.save(update_fields=["voided_at", "voided_by", "void_reason"])
        record(
            actor=user,
            action="signoff.voided",
            summary=f"{specification.code} reopened by {user.full_name}: {len(signatures)} signature(s) voided",
            subject=signatures[0],
            learner=enrolment.learner,
            centre=enrolment.centre,
            before={"signatures": [s.digest for s in signatures]},
            after={"reason": reason},
        )
        notify(
            recipient=enrolment.learner,
            subject=f"{specification.code} reopened",
            message=f"{user.full_name} reopened {specification.code}: {reason}",
            url=reverse("portfolio:criterion_matrix", args=[enrolment.pk, specification.pk]),
        )
        return signatures


def verify_signatures() -> list[str]:
    """Recompute every signature's digest, and for signatures in force what they cover now; name mismatches."""
    problems = []
    for signature in SignOff.objects.select_related(
        "enrolment__learner", "enrolment__centre", "specification"
    ):
        label = (
            f"{signature.specification.code} {signature.role} signature #{signature.pk} by "
            f"{signature.name_printed} ({signature.signed_at:%Y-%m-%d %H:%M})"
        )
        if digest_of(signature.covered) != signature.digest:
            problems.append(f"{label}: the stored digest does not match what it records as signed")
            continue
        if signature.is_valid:
            now = _signature_payload(
                signature.enrolment,
                signature.specification,
                signature.role,
                checked_on=signature.covered.get("checked_on"),
            )
            if digest_of(now) != signature.digest:
                changed = sorted(key for key in now if now.get(key) != signature.covered.get(key))
                problems.append(f"{label}: what it covers has changed since signing ({', '.join(changed)})")
    return problems


# Internal verification: admin check and unit completion confirmed, as on the seed 003 form


def agreed_summative_decision(*, enrolment: Enrolment, specification: Specification) -> SampleDecision | None:
    """The first summative sample decision agreeing with the assessor since the assessor's signature in force."""
    assessor = SignOff.objects.filter(
        enrolment=enrolment, specification=specification, role=SignOff.Role.ASSESSOR, voided_at=None
    ).first()
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


def _verification_payload(enrolment: Enrolment, specification: Specification, role: str) -> dict[str, Any]:
    """What an IV's signature covers beyond the record: the signatures it confirms and the agreed sample."""
    in_force = {
        s.role: s.digest
        for s in SignOff.objects.filter(enrolment=enrolment, specification=specification, voided_at=None)
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


def refuse_self_verification(*, iv: User, enrolment: Enrolment, specification: Specification) -> None:
    """An internal verifier never verifies decisions they made as the learner's assessor."""
    assessed = (
        iv.pk in (enrolment.learner_id, enrolment.assessor_id)
        or Judgement.objects.filter(
            assessor=iv, evidence__enrolment=enrolment, mapping__criterion__specification=specification
        ).exists()
    )
    if assessed:
        raise AssessmentError(
            f"You made assessment decisions on {enrolment.learner}'s {specification.code}: an internal "
            "verifier never verifies their own decisions. Another internal verifier must do it."
        )


def _iv_sign(
    *,
    iv: User,
    enrolment: Enrolment,
    specification: Specification,
    password: str,
    role: str,
    checked_on: Any = None,
) -> SignOff:
    label = (
        "Completion can be confirmed"
        if role == SignOff.Role.COMPLETION
        else "The admin check can be recorded"
    )
    if not iv.check_password(password):
        raise AssessmentError("That password is not right: your signature was not recorded.")
    refuse_self_verification(iv=iv, enrolment=enrolment, specification=specification)
    with transaction.atomic():
        signed = _signed_roles(enrolment, specification)
        if role in signed:
            done = "Unit completion" if role == SignOff.Role.COMPLETION else "The admin check"
            raise AssessmentError(f"{done} of {specification.code} is already recorded.")
        if not {SignOff.Role.LEARNER, SignOff.Role.ASSESSOR} <= signed:
            raise AssessmentError(
                f"{label} only after the learner and the assessor have signed {specification.code} off."
            )
        decision = agreed_summative_decision(enrolment=enrolment, specification=specification)
        if decision is None:
            raise AssessmentError(f"{label} only after a summative sample of {specification.code} is agreed.")
        if iv.pk not in (enrolment.internal_verifier_id, decision.internal_verifier_id):
            raise AssessmentError(
                "Only the learner's internal verifier, or the one who agreed the summative sample, signs this."
            )
        if role == SignOff.Role.COMPLETION and SignOff.Role.ADMIN_CHECK not in signed:
            raise AssessmentError(f"Record the admin check of {specification.code} first.")
        covered = _signature_payload(
            enrolment, specification, role, checked_on=checked_on.isoformat() if checked_on else None
        )
        signature = _create_signature(
            signer=iv,
            enrolment=enrolment,
            specification=specification,
            role=role,
            covered=covered,
            checked_on=covered.get("checked_on"),
        )
        if enrolment.assessor is not None:
            notify(
                recipient=enrolment.assessor,
                subject=f"{specification.code}: {signature.get_role_display().lower()}",
                message=f"{iv.full_name} signed {specification.code} {specification.title}: "
                f"{signature.get_role_display()}.",
                url=reverse("portfolio:criterion_matrix", args=[enrolment.pk, specification.pk]),
            )
        return signature


def record_admin_check(
    *, iv: User, enrolment: Enrolment, specification: Specification, password: str, checked_on: Any
) -> SignOff:
    """The IV's admin check of the completed unit (date, signed), after an agreed summative sample."""
    if checked_on > timezone.localdate():
        raise AssessmentError("The admin check cannot be dated in the future.")
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
