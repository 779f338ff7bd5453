"""An assessor's work on submitted evidence: judging each mapping met or not yet met, adding or removing a mapping,
and closing the round by accepting the evidence or referring it back."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assessments.models import Judgement, Review, RoundFeedback
from assessments.selectors.met import current_round
from assessments.selectors.review import open_reopenings
from assessments.selectors.signatures import signed_specification_ids
from assessments.services import AssessmentError, SignedOffError, StaleFormError
from assessments.services.progress import refresh_progress
from audit.services import record
from notifications.services import notify
from portfolio.models import Evidence, EvidenceMapping
from portfolio.services.mappings import check_mappable, mapping_values
from portfolio.services.status import ACCEPT, REFER, bump_version, change_status
from units.models import Criterion, RangeItem, Specification


def evidence_url(evidence: Evidence) -> str:
    return reverse("portfolio:evidence_detail", args=[evidence.pk])


def _lock_for_assessment(
    *, assessor: User, evidence: Evidence, version: int, awaiting: bool = True
) -> Evidence:
    """The evidence row, locked, after every check an assessor's change needs (`awaiting`: that it is submitted;
    judging again what the internal verifier reopened is done on accepted evidence)."""
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
    if awaiting and not locked.is_awaiting_assessment:
        raise AssessmentError(
            f"{locked.reference} is {locked.get_status_display().lower()}: only submitted evidence is judged."
        )
    return locked


def refuse_if_signed(evidence: Evidence, specification_ids: set[int]) -> None:
    """Judgements covered by a signature in force are frozen, and so is what the evidence is mapped to."""
    frozen = signed_specification_ids(enrolment_id=evidence.enrolment_id) & specification_ids
    if frozen:
        codes = ", ".join(Specification.objects.filter(pk__in=frozen).values_list("code", flat=True))
        raise SignedOffError(
            f"{evidence.reference} is covered by the sign-off of {codes}: its judgements are frozen. "
            "Reopen the unit, with a reason, to change them."
        )


@dataclass(frozen=True)
class Decision:
    """One mapping's judgement as the assessor entered it; `met=None` leaves it unjudged."""

    mapping_id: int
    met: bool | None
    feedback: str = ""


def _record_judgement(
    *, assessor: User, evidence: Evidence, mapping: EvidenceMapping, round_now: int, met: bool, feedback: str
) -> None:
    """Record (or revise, within this round) one judgement; an unchanged one writes nothing."""
    judgement = Judgement.objects.filter(mapping=mapping, round=round_now).first()
    before = {"met": judgement.met, "feedback": judgement.feedback} if judgement else None
    after = {"met": met, "feedback": feedback.strip()}
    if before == after:
        return
    Judgement.objects.update_or_create(
        mapping=mapping,
        round=round_now,
        defaults={
            "evidence": evidence,
            "met": met,
            "feedback": feedback.strip(),
            "assessor": assessor,
            "judged_at": timezone.now(),
        },
    )
    record(
        actor=assessor,
        action="judgement.recorded",
        summary=(
            f"{mapping.criterion.specification.code} {mapping.label} judged "
            f"{'met' if met else 'not yet met'} on {evidence.reference} (round {round_now})"
        ),
        subject=mapping,
        learner=evidence.learner_id,
        centre=evidence.centre_id,
        before=before,
        after=after,
    )


def _save_round_feedback(*, assessor: User, evidence: Evidence, round_now: int, feedback: str) -> None:
    """Keep the overall feedback typed so far (until the decision copies it into the round's review)."""
    draft = RoundFeedback.objects.filter(evidence=evidence, round=round_now).first()
    before = draft.text if draft else ""
    after = feedback.strip()
    if before == after:
        return
    if after:
        RoundFeedback.objects.update_or_create(
            evidence=evidence,
            round=round_now,
            defaults={"text": after, "assessor": assessor, "saved_at": timezone.now()},
        )
    elif draft:
        draft.delete()
    record(
        actor=assessor,
        action="review.feedback_saved",
        summary=f"Feedback to the learner on {evidence.reference} saved (round {round_now}), not yet sent",
        subject=evidence,
        learner=evidence.learner_id,
        centre=evidence.centre_id,
        before={"feedback": before},
        after={"feedback": after},
    )


def _refuse_feedback_without_verdict(
    evidence: Evidence, mappings: dict[int, EvidenceMapping], decisions: list[Decision]
) -> None:
    """Feedback on a criterion is kept with its judgement: without Met or Not yet met it would be lost."""
    lacking = [mappings[d.mapping_id].label for d in decisions if d.met is None and d.feedback.strip()]
    if lacking:
        raise AssessmentError(
            f"Choose Met or Not yet met for {', '.join(lacking)} on {evidence.reference}: feedback is saved with "
            "its judgement. Nothing was saved; what you typed is still in the form."
        )


def save_judgements(
    *, assessor: User, evidence: Evidence, version: int, decisions: list[Decision], feedback: str = ""
) -> Evidence:
    """Record (or revise, within this round) the assessor's judgement of each mapping, and keep the overall
    feedback typed so far."""
    with transaction.atomic():
        locked = _lock_for_assessment(assessor=assessor, evidence=evidence, version=version)
        mappings = {m.pk: m for m in locked.mappings.select_related("criterion__specification", "range_item")}
        if any(d.mapping_id not in mappings for d in decisions):
            raise StaleFormError(
                f"A criterion you judged is no longer mapped to {locked.reference}. The current state is shown."
            )
        _refuse_feedback_without_verdict(locked, mappings, decisions)
        chosen = [(d.mapping_id, d.met, d.feedback) for d in decisions if d.met is not None]
        refuse_if_signed(
            locked, {mappings[mapping_id].criterion.specification_id for mapping_id, _, _ in chosen}
        )
        round_now = current_round(locked)
        for mapping_id, met, text in chosen:
            _record_judgement(
                assessor=assessor,
                evidence=locked,
                mapping=mappings[mapping_id],
                round_now=round_now,
                met=met,
                feedback=text,
            )
        _save_round_feedback(assessor=assessor, evidence=locked, round_now=round_now, feedback=feedback)
        bump_version(locked)
        refresh_progress(enrolment_ids=[locked.enrolment_id])
        return locked


def _refuse_undecidable(
    evidence: Evidence, judged: dict[int, Judgement], accept: bool, feedback: str
) -> None:
    """A round closes when every mapping is judged; accepted evidence meets something; a referral says why."""
    mappings = list(evidence.mappings.select_related("criterion__specification", "range_item"))
    if not mappings:
        raise AssessmentError(f"{evidence.reference} is not mapped to any criterion: refer it back instead.")
    if missing := [f"{m.criterion.specification.code} {m.label}" for m in mappings if m.pk not in judged]:
        raise AssessmentError(
            f"Judge every criterion first: {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
            "not judged yet in this round."
        )
    if accept and not any(j.met for j in judged.values()):
        raise AssessmentError(
            f"None of {evidence.reference}'s criteria is judged met: refer it back with feedback instead."
        )
    if not accept and not feedback and not any(j.feedback for j in judged.values()):
        raise AssessmentError("Say what the learner should do: feedback is needed to refer evidence back.")


def decide(*, assessor: User, evidence: Evidence, version: int, accept: bool, feedback: str) -> Review:
    """Close this round: accept the evidence, or refer it back to the learner with feedback."""
    feedback = feedback.strip()
    with transaction.atomic():
        locked = _lock_for_assessment(assessor=assessor, evidence=evidence, version=version)
        round_now = current_round(locked)
        judged = {j.mapping_id: j for j in Judgement.objects.filter(evidence=locked, round=round_now)}
        _refuse_undecidable(locked, judged, accept, feedback)
        review = Review.objects.create(
            evidence=locked,
            round=round_now,
            decision=Review.Decision.ACCEPTED if accept else Review.Decision.REFERRED,
            feedback=feedback,
            assessor=assessor,
            decided_at=timezone.now(),
        )
        RoundFeedback.objects.filter(evidence=locked, round=round_now).delete()
        transition = ACCEPT if accept else REFER
        change_status(
            evidence=locked,
            transition=transition,
            by=assessor,
            summary=f"{locked.reference} {transition.verb} (round {round_now})",
            audited={"feedback": feedback},
        )
        notify(
            recipient=locked.learner,
            subject=f"Feedback on {locked.reference}: {transition.verb}",
            message=(
                f"{assessor.full_name} has {transition.verb} {locked.reference} “{locked.title}”."
                + (f"\n\n{feedback}" if feedback else "")
            ),
            url=evidence_url(locked),
        )
        return review


def add_mapping(
    *, assessor: User, evidence: Evidence, version: int, criterion: Criterion, range_item: RangeItem | None
) -> EvidenceMapping:
    """An assessor may map submitted evidence to a criterion the learner missed."""
    with transaction.atomic():
        locked = _lock_for_assessment(assessor=assessor, evidence=evidence, version=version)
        check_mappable(locked, criterion, range_item)
        refuse_if_signed(locked, {criterion.specification_id})
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
            learner=locked.learner_id,
            centre=locked.centre_id,
            after=mapping_values(mapping),
        )
        bump_version(locked)
        refresh_progress(enrolment_ids=[locked.enrolment_id])
        return mapping


def remove_mapping(*, assessor: User, mapping: EvidenceMapping, version: int) -> None:
    """An assessor may take off a mapping added in this round; one judged before stays, with its history."""
    with transaction.atomic():
        locked = _lock_for_assessment(assessor=assessor, evidence=mapping.evidence, version=version)
        refuse_if_signed(locked, {mapping.criterion.specification_id})
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
            learner=locked.learner_id,
            centre=locked.centre_id,
            before=mapping_values(mapping),
        )
        mapping.delete()
        bump_version(locked)
        refresh_progress(enrolment_ids=[locked.enrolment_id])


def _refuse_outside_reopened(
    evidence: Evidence, reopened: dict[int, Judgement], chosen: list[Decision]
) -> None:
    if not reopened:
        raise AssessmentError(
            f"{evidence.reference} has no judgement reopened by the internal verifier: there is nothing to judge again."
        )
    if any(d.mapping_id not in reopened for d in chosen):
        raise AssessmentError(
            f"{evidence.reference} is accepted: only the criteria the internal verifier reopened are judged again."
        )
    if not chosen:
        raise AssessmentError("Choose Met or Not yet met for each reopened criterion you judge again.")


def judge_again(*, assessor: User, evidence: Evidence, version: int, decisions: list[Decision]) -> Evidence:
    """Judge again, on accepted evidence, the lines the internal verifier reopened: each a new judgement in the
    next round (the reopened one stays as it was); the evidence stays accepted and its other lines stand."""
    with transaction.atomic():
        locked = _lock_for_assessment(assessor=assessor, evidence=evidence, version=version, awaiting=False)
        reopened = {
            j.mapping_id: j
            for j in open_reopenings(evidence_ids=[locked.pk]).select_related(
                "mapping__criterion__specification", "mapping__range_item"
            )
        }
        chosen = [d for d in decisions if d.met is not None]
        _refuse_outside_reopened(locked, reopened, chosen)
        refuse_if_signed(locked, {reopened[d.mapping_id].mapping.criterion.specification_id for d in chosen})
        now = timezone.now()
        for decision in chosen:
            old = reopened[decision.mapping_id]
            mapping = old.mapping
            Judgement.objects.create(
                mapping=mapping, evidence=locked, round=old.round + 1, met=bool(decision.met),
                feedback=decision.feedback.strip(), assessor=assessor, judged_at=now,
            )  # fmt: skip
            record(
                actor=assessor,
                action="judgement.recorded",
                summary=(
                    f"{mapping.criterion.specification.code} {mapping.label} judged again "
                    f"{'met' if decision.met else 'not yet met'} on {locked.reference} (round {old.round + 1}), "
                    "after the internal verifier reopened it"
                ),
                subject=mapping,
                learner=locked.learner_id,
                centre=locked.centre_id,
                before={"met": old.met, "feedback": old.feedback, "reopened": True},
                after={"met": decision.met, "feedback": decision.feedback.strip()},
            )
        bump_version(locked)
        refresh_progress(enrolment_ids=[locked.enrolment_id])
        notify(
            recipient=locked.learner,
            subject=f"{locked.reference}: judged again after internal verification",
            message=f"{assessor.full_name} judged again "
            + ", ".join(
                f"{reopened[d.mapping_id].mapping.label} {'met' if d.met else 'not yet met'}" for d in chosen
            )
            + f" on {locked.reference}.",
            url=evidence_url(locked),
        )
        return locked
