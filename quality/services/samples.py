"""An internal verifier's decision on a sample: agree or disagree with the assessor (with the VACS checklist),
feedback and actions; a disagreement reopens the judgements looked at and voids the signatures over them."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assessments.models import Judgement, JudgementReopening, Review, SignOff
from assessments.services.progress import refresh_progress
from assessments.services.signatures import lock_signed_roles, void_signatures
from audit.services import record
from notifications.services import notify
from portfolio.models import Evidence
from portfolio.services.status import bump_version
from quality.models import Action, Sample, SampleDecision
from quality.rules import assessed_by
from quality.selectors.samples import sample_judgements, sample_queryset
from quality.services import QualityError

VACS = ("valid", "authentic", "current", "sufficient")


@dataclass(frozen=True)
class Verdict:
    """What the IV decided, as entered: agree or not, the checklist, feedback, what was looked at, actions."""

    agrees: bool
    vacs: dict[str, bool]
    feedback: str
    judgements: list[Judgement]
    actions: list[tuple[str, datetime.date]]

    @classmethod
    def of(
        cls,
        *,
        agrees: bool,
        vacs: dict[str, bool],
        feedback: str,
        judgements: list[Judgement],
        actions: list[tuple[str, datetime.date]],
    ) -> "Verdict":
        return cls(
            agrees=agrees,
            vacs={name: bool(vacs.get(name)) for name in VACS},
            feedback=feedback.strip(),
            judgements=list(judgements),
            actions=[(text.strip(), due_on) for text, due_on in actions],
        )


def _refuse_own_decisions(iv: User, sample: Sample, verdict: Verdict) -> None:
    looked_at = Judgement.objects.filter(pk__in=[j.pk for j in verdict.judgements])
    if assessed_by(
        iv.pk, enrolment=sample.enrolment, assessor_ids=[sample.assessor_id], judgements=looked_at
    ):
        raise QualityError(
            "You assessed this: these are your own assessment decisions, and an internal verifier never verifies "
            "their own. Ask another internal verifier to take this sample."
        )


def _refuse_incomplete(sample: Sample, verdict: Verdict) -> None:
    """What was looked at is part of the sample; feedback is given; agreement needs the whole checklist."""
    if not verdict.judgements:
        raise QualityError("Tick the judgements you looked at: the decision records what was sampled.")
    ticked = {j.pk for j in verdict.judgements}
    if sample_judgements(sample).filter(pk__in=ticked).count() != len(ticked):
        raise QualityError("A judgement you ticked is not part of this sample. The current state is shown.")
    if not verdict.feedback:
        raise QualityError("Write your feedback to the assessor: it is kept with the decision.")
    if verdict.agrees and not all(verdict.vacs.values()):
        missing = ", ".join(name for name, ok in verdict.vacs.items() if not ok)
        raise QualityError(
            f"You agree only when the evidence is valid, authentic, current and sufficient ({missing} not "
            "ticked): disagree instead, or tick what you checked."
        )
    _refuse_unclear_actions(verdict.actions)


def _refuse_unclear_actions(actions: list[tuple[str, datetime.date]]) -> None:
    """Each action says what the assessor should do, by a date still to come."""
    for text, due_on in actions:
        if not text:
            raise QualityError("Say what the assessor should do for each action.")
        if due_on < timezone.localdate():
            raise QualityError(f"An action cannot be due in the past ({due_on:%d/%m/%Y}).")


def _refuse_early_summative(sample: Sample) -> None:
    signed = (
        SignOff.objects.in_force()
        .filter(enrolment=sample.enrolment, specification=sample.specification, role=SignOff.Role.ASSESSOR)
        .exists()
    )
    if sample.kind == Sample.Kind.SUMMATIVE and not signed:
        raise QualityError(
            f"A summative sample is decided after the assessor signs {sample.specification.code} off: "
            "sample it as interim instead, or wait for the signature."
        )


def _lock_decidable(iv: User, sample: Sample, verdict: Verdict) -> Sample:
    """The sample row, locked, after every check a decision needs."""
    locked = sample_queryset().select_for_update(of=("self",)).get(pk=sample.pk)
    if iv.pk != locked.plan.internal_verifier_id:
        raise QualityError("Only the internal verifier holding this sampling plan decides its samples.")
    _refuse_own_decisions(iv, locked, verdict)
    if SampleDecision.objects.filter(sample=locked).exists():
        raise QualityError("This sample is already decided: plan another sample to look again.")
    _refuse_incomplete(locked, verdict)
    _refuse_early_summative(locked)
    return locked


def looked_at(judgements: list[Judgement]) -> list[dict[str, Any]]:
    """The judgements an IV looked at as they stood, for the decision's signed record."""
    rows = Judgement.objects.filter(pk__in=[j.pk for j in judgements]).select_related(
        "evidence", "mapping__criterion", "mapping__range_item"
    )
    return [
        {
            "judgement": j.pk,
            "evidence": j.evidence.reference,
            "line": j.mapping.label,
            "round": j.round,
            "met": j.met,
            "assessor": j.assessor_id,
        }
        for j in sorted(rows, key=lambda j: j.pk)
    ]


def _record_decision(iv: User, sample: Sample, verdict: Verdict, now: datetime.datetime) -> SampleDecision:
    try:
        with transaction.atomic():
            decision = SampleDecision.objects.create(
                sample=sample,
                internal_verifier=iv,
                agrees=verdict.agrees,
                feedback=verdict.feedback,
                looked_at=looked_at(verdict.judgements),
                decided_at=now,
                **verdict.vacs,
            )
    except IntegrityError:
        raise QualityError("This sample is already decided: plan another sample to look again.") from None
    decision.judgements.set(verdict.judgements)
    enrolment = sample.enrolment
    record(
        actor=iv,
        action="iqa.sample_decided",
        summary=(
            f"{sample.get_kind_display()} sample of {sample.specification.code} for {enrolment.learner.full_name}: "
            f"{'agrees' if verdict.agrees else 'disagrees'} with {sample.assessor.full_name}"
        ),
        subject=decision,
        learner=enrolment.learner_id,
        centre=enrolment.centre_id,
        after={
            "agrees": verdict.agrees,
            **verdict.vacs,
            "feedback": verdict.feedback,
            "judgements": sorted(j.pk for j in verdict.judgements),
            "key_id": decision.key_id,
            "key_signature": decision.key_signature,
        },
    )
    return decision


def _set_actions(iv: User, sample: Sample, actions: list[tuple[str, datetime.date]]) -> None:
    for text, due_on in actions:
        action = Action.objects.create(
            sample=sample, owner=sample.assessor, set_by=iv, text=text, due_on=due_on
        )
        record(
            actor=iv,
            action="iqa.action_set",
            summary=f"Action for {sample.assessor.full_name} due {due_on:%d/%m/%Y}",
            subject=action,
            learner=sample.enrolment.learner_id,
            centre=sample.enrolment.centre_id,
            after={"text": text, "due_on": due_on.isoformat(), "owner": sample.assessor_id},
        )


def _tell_assessor(iv: User, sample: Sample, verdict: Verdict, reopened: "Reopened | None") -> None:
    verb = "agreed" if verdict.agrees else "disagreed"
    notify(
        recipient=sample.assessor,
        subject=f"Internal verification of {sample.specification.code}: {verb}",
        message=(
            f"{iv.full_name} {verb} with your decisions on "
            f"{sample.enrolment.learner.full_name}'s {sample.specification.code}."
            + (f" {reopened.words()}" if reopened and reopened.judgements else "")
            + (f" {len(verdict.actions)} action(s) set for you." if verdict.actions else "")
            + f"\n\n{verdict.feedback}"
        ),
        url=reverse("quality:my_iqa"),
    )


def decide_sample(
    *,
    iv: User,
    sample: Sample,
    agrees: bool,
    vacs: dict[str, bool],
    feedback: str,
    judgements: list[Judgement],
    actions: list[tuple[str, datetime.date]],
) -> SampleDecision:
    """Agree or disagree with the assessor on what was looked at; a disagreement reopens those judgements."""
    verdict = Verdict.of(agrees=agrees, vacs=vacs, feedback=feedback, judgements=judgements, actions=actions)
    with transaction.atomic():
        locked = _lock_decidable(iv, sample, verdict)
        now = timezone.now()
        decision = _record_decision(iv, locked, verdict, now)
        _set_actions(iv, locked, verdict.actions)
        reopened = None
        if not verdict.agrees:
            reopened = _reopen_judgements(iv=iv, sample=locked, judgements=verdict.judgements)
            refresh_progress(enrolment_ids=[locked.enrolment_id])
        _tell_assessor(iv, locked, verdict, reopened)
        return decision


def _standing(judgements: list[Judgement]) -> list[Judgement]:
    """Of the judgements looked at, those that still stand: the latest on their line, in a closed round, not
    already reopened. Older rounds are history, and an open round is still the assessor's to judge."""
    newer = Judgement.objects.filter(mapping_id=OuterRef("mapping_id"), round__gt=OuterRef("round"))
    closed = Review.objects.filter(evidence_id=OuterRef("evidence_id"), round=OuterRef("round"))
    return list(
        Judgement.objects.filter(pk__in=[j.pk for j in judgements], reopening__isnull=True)
        .filter(Exists(closed))
        .exclude(Exists(newer))
        .select_related("evidence", "mapping__criterion__specification", "mapping__range_item")
        .order_by("evidence__number", "pk")
    )


def _void_covering_signatures(
    iv: User, sample: Sample, specification_ids: set[int], reason: str
) -> list[SignOff]:
    """The signatures in force over the units of the reopened judgements, and no others."""
    enrolment = sample.enrolment
    lock_signed_roles(enrolment, sample.specification)
    signatures = list(
        SignOff.objects.in_force()
        .filter(enrolment=enrolment, specification_id__in=specification_ids)
        .select_related("specification")
        .order_by("pk")
    )
    void_signatures(
        signatures=signatures,
        by=iv,
        reason=reason,
        summary=f"{len(signatures)} signature(s) voided: {reason}",
        enrolment=enrolment,
    )
    return signatures


@dataclass(frozen=True)
class Reopened:
    """What a disagreement reopened: exactly the judgements looked at that stood, and the signatures over them."""

    judgements: list[Judgement]
    voided: list[SignOff]

    def words(self) -> str:
        lines = ", ".join(
            f"{j.mapping.criterion.specification.code} {j.mapping.label} on {j.evidence.reference}"
            for j in self.judgements
        )
        voided = "; ".join(f"{s.specification.code} {s.get_role_display()}" for s in self.voided)
        return f"Reopened to be judged again: {lines}." + (f" Signatures voided: {voided}." if voided else "")


def _reopen_judgements(*, iv: User, sample: Sample, judgements: list[Judgement]) -> Reopened:
    """Each judgement looked at that stood gets a reopening row (it no longer counts; the assessor judges that line
    again); the signatures that covered them are void. Nothing else changes: the evidence stays accepted, and its
    other lines, of this unit or another, stay met."""
    enrolment, specification = sample.enrolment, sample.specification
    evidence_ids = sorted({j.evidence_id for j in judgements})
    list(Evidence.objects.select_for_update(of=("self",)).filter(pk__in=evidence_ids).order_by("pk"))
    standing = _standing(judgements)
    if not standing:
        return Reopened([], [])
    reason = (
        f"IV disagreement on sample #{sample.pk} ({sample.get_kind_display().lower()} sample of "
        f"{specification.code} for {enrolment.learner.full_name})"
    )
    voided = _void_covering_signatures(
        iv, sample, {j.mapping.criterion.specification_id for j in standing}, reason
    )
    now = timezone.now()
    for judgement in standing:
        JudgementReopening.objects.create(judgement=judgement, reopened_by=iv, reopened_at=now, reason=reason)
        record(
            actor=iv,
            action="iqa.judgement_reopened",
            summary=(
                f"{judgement.mapping.criterion.specification.code} {judgement.mapping.label} on "
                f"{judgement.evidence.reference} reopened after disagreement on sample #{sample.pk}"
            ),
            subject=judgement,
            learner=enrolment.learner_id,
            centre=enrolment.centre_id,
            before={"met": judgement.met, "round": judgement.round},
            after={"reopened": True, "reason": reason},
        )
    for evidence in {j.evidence_id: j.evidence for j in standing}.values():
        bump_version(evidence)  # a review form open on it is now stale
    reopened = Reopened(standing, voided)
    notify(
        recipient=enrolment.learner,
        subject=f"{specification.code}: the internal verifier reopened {len(standing)} judgement(s)",
        message=(
            f"{iv.full_name} disagreed with your assessor's decisions on {specification.code}. "
            f"{reopened.words()} Your assessor will judge them again; nothing else changes."
        ),
        url=reverse("assessments:criterion_matrix", args=[enrolment.pk, specification.pk]),
    )
    return reopened
