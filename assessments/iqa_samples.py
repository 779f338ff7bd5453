"""Internal verification of samples: the IV's decision, the judgements a disagreement reopens, actions for the
assessor tracked to closure, and what the sample page shows. Services are one transaction each, audited."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Case, F, Prefetch, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assessments.models import Action, Judgement, Sample, SampleDecision, SignOff
from assessments.selectors import AWAITING, CountableState, countable_states, current_round
from assessments.services import AssessmentError
from audit.services import record
from notifications.services import notify
from portfolio.models import Evidence, EvidenceFile, EvidenceMapping
from units.models import Criterion, RangeItem

VACS = ("valid", "authentic", "current", "sufficient")


def _sample_url(sample: Sample) -> str:
    return reverse("assessments:sample_detail", args=[sample.pk])


def sample_queryset() -> QuerySet[Sample]:
    return Sample.objects.select_related(
        "plan__centre",
        "plan__internal_verifier",
        "enrolment__learner",
        "enrolment__centre",
        "specification",
        "group",
        "assessor",
    )


def sample_judgements(sample: Sample) -> QuerySet[Judgement]:
    """Every judgement (all rounds) on the learner's evidence for the sampled criteria."""
    judgements = Judgement.objects.filter(
        evidence__enrolment_id=sample.enrolment_id,
        mapping__criterion__specification_id=sample.specification_id,
    )
    if sample.group_id is not None:
        judgements = judgements.filter(mapping__criterion__group_id=sample.group_id)
    return judgements


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
    feedback = feedback.strip()
    checklist = {name: bool(vacs.get(name)) for name in VACS}
    actions = [(text.strip(), due_on) for text, due_on in actions]
    with transaction.atomic():
        locked = sample_queryset().select_for_update(of=("self",)).get(pk=sample.pk)
        enrolment, specification = locked.enrolment, locked.specification
        if iv.pk != locked.plan.internal_verifier_id:
            raise AssessmentError(
                "Only the internal verifier holding this sampling plan decides its samples."
            )
        own = iv.pk in (locked.assessor_id, enrolment.assessor_id, enrolment.learner_id)
        if own or Judgement.objects.filter(pk__in=[j.pk for j in judgements], assessor=iv).exists():
            raise AssessmentError(
                "You made these assessment decisions: an internal verifier never samples their own decisions. "
                "Ask another internal verifier to take this sample."
            )
        if SampleDecision.objects.filter(sample=locked).exists():
            raise AssessmentError("This sample is already decided: plan another sample to look again.")
        if not judgements:
            raise AssessmentError("Tick the judgements you looked at: the decision records what was sampled.")
        in_scope = set(
            sample_judgements(locked).filter(pk__in=[j.pk for j in judgements]).values_list("pk", flat=True)
        )
        if len(in_scope) != len({j.pk for j in judgements}):
            raise AssessmentError(
                "A judgement you ticked is not part of this sample. The current state is shown."
            )
        if not feedback:
            raise AssessmentError("Write your feedback to the assessor: it is kept with the decision.")
        if agrees and not all(checklist.values()):
            missing = ", ".join(name for name, ok in checklist.items() if not ok)
            raise AssessmentError(
                f"You agree only when the evidence is valid, authentic, current and sufficient ({missing} not "
                "ticked): disagree instead, or tick what you checked."
            )
        for text, due_on in actions:
            if not text:
                raise AssessmentError("Say what the assessor should do for each action.")
            if due_on < timezone.localdate():
                raise AssessmentError(f"An action cannot be due in the past ({due_on:%d/%m/%Y}).")
        if (
            locked.kind == Sample.Kind.SUMMATIVE
            and not SignOff.objects.filter(
                enrolment=enrolment, specification=specification, role=SignOff.Role.ASSESSOR, voided_at=None
            ).exists()
        ):
            raise AssessmentError(
                f"A summative sample is decided after the assessor signs {specification.code} off: "
                "sample it as interim instead, or wait for the signature."
            )
        now = timezone.now()
        try:
            with transaction.atomic():
                decision = SampleDecision.objects.create(
                    sample=locked,
                    internal_verifier=iv,
                    agrees=agrees,
                    feedback=feedback,
                    decided_at=now,
                    **checklist,
                )
        except IntegrityError:
            raise AssessmentError(
                "This sample is already decided: plan another sample to look again."
            ) from None
        decision.judgements.set(judgements)
        record(
            actor=iv,
            action="iqa.sample_decided",
            summary=(
                f"{locked.get_kind_display()} sample of {specification.code} for {enrolment.learner.full_name}: "
                f"{'agrees' if agrees else 'disagrees'} with {locked.assessor.full_name}"
            ),
            subject=decision,
            learner=enrolment.learner,
            centre=enrolment.centre,
            after={
                "agrees": agrees,
                **checklist,
                "feedback": feedback,
                "judgements": sorted(j.pk for j in judgements),
            },
        )
        for text, due_on in actions:
            action = Action.objects.create(
                sample=locked, owner=locked.assessor, set_by=iv, text=text, due_on=due_on
            )
            record(
                actor=iv,
                action="iqa.action_set",
                summary=f"Action for {locked.assessor.full_name} due {due_on:%d/%m/%Y}",
                subject=action,
                learner=enrolment.learner,
                centre=enrolment.centre,
                after={"text": text, "due_on": due_on.isoformat(), "owner": locked.assessor_id},
            )
        if not agrees:
            _reopen_judgements(iv=iv, sample=locked, judgements=list(judgements), now=now)
        notify(
            recipient=locked.assessor,
            subject=f"Internal verification of {specification.code}: {'agreed' if agrees else 'disagreed'}",
            message=(
                f"{iv.full_name} {'agreed' if agrees else 'disagreed'} with your decisions on "
                f"{enrolment.learner.full_name}'s {specification.code}."
                + (" The judgements looked at are reopened for you to judge again." if not agrees else "")
                + (f" {len(actions)} action(s) set for you." if actions else "")
                + f"\n\n{feedback}"
            ),
            url=reverse("assessments:my_iqa"),
        )
        return decision


def _reopen_judgements(
    *, iv: User, sample: Sample, judgements: list[Judgement], now: datetime.datetime
) -> None:
    """Evidence back to the assessor for a new round; signatures that covered it are void."""
    enrolment, specification = sample.enrolment, sample.specification
    evidence_ids = sorted({j.evidence_id for j in judgements})
    evidence = list(
        Evidence.objects.select_for_update(of=("self",)).filter(pk__in=evidence_ids).order_by("pk")
    )
    spec_ids = {specification.pk} | set(
        EvidenceMapping.objects.filter(evidence_id__in=evidence_ids).values_list(
            "criterion__specification_id", flat=True
        )
    )
    reason = (
        f"IV disagreement on sample #{sample.pk} ({sample.get_kind_display().lower()} sample of "
        f"{specification.code} for {enrolment.learner.full_name})"
    )
    signatures = list(
        SignOff.objects.select_for_update()
        .filter(enrolment=enrolment, specification_id__in=spec_ids, voided_at=None)
        .select_related("specification")
        .order_by("pk")
    )
    for signature in signatures:
        signature.voided_at, signature.voided_by, signature.void_reason = now, iv, reason
        signature.save(update_fields=["voided_at", "voided_by", "void_reason"])
    if signatures:
        record(
            actor=iv,
            action="signoff.voided",
            summary=f"{len(signatures)} signature(s) voided: {reason}",
            subject=signatures[0],
            learner=enrolment.learner,
            centre=enrolment.centre,
            before={"signatures": [s.digest for s in signatures]},
            after={"reason": reason},
        )
    by_evidence = defaultdict(list)
    for judgement in judgements:
        by_evidence[judgement.evidence_id].append(judgement)
    for item in evidence:
        before = item.status
        if item.status not in AWAITING:
            item.status = Evidence.Status.SUBMITTED
            item.save(update_fields=["status", "updated_at"])
            Evidence.objects.filter(pk=item.pk).update(version=F("version") + 1)
        round_now = current_round(item)
        for judgement in by_evidence[item.pk]:
            record(
                actor=iv,
                action="iqa.judgement_reopened",
                summary=(
                    f"{item.reference} reopened for round {round_now} after disagreement on sample #{sample.pk}"
                ),
                subject=judgement,
                learner=enrolment.learner,
                centre=enrolment.centre,
                before={"met": judgement.met, "round": judgement.round, "evidence_status": before},
                after={"evidence_status": item.status, "round": round_now},
            )


def respond_to_action(*, assessor: User, action: Action, response: str) -> Action:
    """The action's owner says what they did; the IV then closes it."""
    response = response.strip()
    if not response:
        raise AssessmentError("Say what you did about the action: the response is kept with it.")
    with transaction.atomic():
        locked = Action.objects.select_for_update(of=("self",)).select_related("sample__enrolment__learner",
            "sample__enrolment__centre", "set_by").get(pk=action.pk)  # fmt: skip
        if assessor.pk != locked.owner_id:
            raise AssessmentError("Only the person the action was set for responds to it.")
        if locked.status == Action.Status.CLOSED:
            raise AssessmentError("This action is closed: nothing more to respond.")
        before = {"status": locked.status, "response": locked.response}
        locked.status, locked.response, locked.responded_at = (
            Action.Status.RESPONDED,
            response,
            timezone.now(),
        )
        locked.save(update_fields=["status", "response", "responded_at"])
        record(
            actor=assessor,
            action="iqa.action_responded",
            summary=f"{assessor.full_name} responded to an action due {locked.due_on:%d/%m/%Y}",
            subject=locked,
            learner=locked.sample.enrolment.learner,
            centre=locked.sample.enrolment.centre,
            before=before,
            after={"status": locked.status, "response": response},
        )
        notify(
            recipient=locked.set_by,
            subject=f"{assessor.full_name} responded to an action",
            message=f"“{locked.text}”\n\n{response}",
            url=_sample_url(locked.sample),
        )
        return locked


def close_action(*, iv: User, action: Action) -> Action:
    """Only the IV who set an action closes it, once the owner has responded."""
    with transaction.atomic():
        locked = Action.objects.select_for_update(of=("self",)).select_related("sample__enrolment__learner",
            "sample__enrolment__centre", "set_by").get(pk=action.pk)  # fmt: skip
        if iv.pk != locked.set_by_id:
            raise AssessmentError(f"Only {locked.set_by.full_name}, who set this action, can close it.")
        if locked.status == Action.Status.CLOSED:
            raise AssessmentError("This action is already closed.")
        if locked.status != Action.Status.RESPONDED:
            raise AssessmentError(
                "The assessor has not responded yet: an action is closed after the response."
            )
        locked.status, locked.closed_at = Action.Status.CLOSED, timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        record(
            actor=iv,
            action="iqa.action_closed",
            summary=f"Action for {locked.owner} due {locked.due_on:%d/%m/%Y} closed",
            subject=locked,
            learner=locked.sample.enrolment.learner,
            centre=locked.sample.enrolment.centre,
            before={"status": Action.Status.RESPONDED},
            after={"status": Action.Status.CLOSED},
        )
        notify(
            recipient=locked.owner,
            subject="An internal verification action is closed",
            message=f"{iv.full_name} closed the action “{locked.text}”.",
            url=reverse("assessments:my_iqa"),
        )
        return locked


# Selectors


def actions_queryset() -> QuerySet[Action]:
    """Actions with an `overdue` flag: still open (no response) after the due date."""
    return (
        Action.objects.select_related(
            "owner", "set_by", "sample__enrolment__learner", "sample__specification"
        )
        .annotate(
            overdue=Case(
                When(status=Action.Status.OPEN, due_on__lt=timezone.localdate(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("due_on", "pk")
    )


def actions_for(user: User) -> list[Action]:
    """The actions a person owns or set: open, responded and closed, each with `overdue`."""
    return list(actions_queryset().filter(Q(owner=user) | Q(set_by=user)))


def decisions_for(*, assessor: User) -> list[SampleDecision]:
    """IV decisions on samples of an assessor's work: their feedback, newest first."""
    return list(
        SampleDecision.objects.filter(sample__assessor=assessor)
        .select_related(
            "internal_verifier", "sample__enrolment__learner", "sample__specification", "sample__group"
        )
        .prefetch_related(
            Prefetch(
                "judgements",
                queryset=Judgement.objects.select_related(
                    "evidence", "mapping__criterion", "mapping__range_item"
                ),
            )
        )
        .order_by("-decided_at", "-pk")
    )


@dataclass
class SampledLine:
    """One line of the sampled criteria: where it stands and every judgement made on it."""

    criterion: Criterion
    range_item: RangeItem | None
    state: CountableState | None
    judgements: list[Judgement]

    @property
    def ref(self) -> str:
        return f"{self.criterion.ref} {self.range_item.ref})" if self.range_item else self.criterion.ref

    @property
    def met(self) -> bool:
        return bool(self.state and self.state.met)


def sample_context(*, sample: Sample) -> dict[str, Any]:
    """The sample page: the sampled criteria with the learner's evidence, files and the assessor's judgements,
    the IV's decision and actions, and the signatures in force, in a fixed number of queries."""
    enrolment, specification = sample.enrolment, sample.specification
    criteria = Criterion.objects.filter(specification=specification).prefetch_related("range_items")
    if sample.group_id is not None:
        criteria = criteria.filter(group_id=sample.group_id)
    judgements = list(
        sample_judgements(sample)
        .select_related("evidence__method", "mapping__criterion", "mapping__range_item", "assessor")
        .order_by("evidence__number", "round", "pk")
    )
    files: dict[int, list[EvidenceFile]] = defaultdict(list)
    for evidence_file in EvidenceFile.objects.filter(
        evidence_id__in={j.evidence_id for j in judgements}, is_current=True
    ).order_by("pk"):
        files[evidence_file.evidence_id].append(evidence_file)
    for judgement in judgements:
        judgement.evidence.current_files = files[judgement.evidence_id]
    by_line: dict[tuple[int, int | None], list[Judgement]] = defaultdict(list)
    for judgement in judgements:
        by_line[(judgement.mapping.criterion_id, judgement.mapping.range_item_id)].append(judgement)
    states = countable_states(enrolments=[enrolment], specification_ids=[specification.pk]).get(
        (enrolment.pk, specification.pk), {}
    )
    lines = [
        SampledLine(
            criterion=criterion,
            range_item=item,
            state=states.get((criterion.pk, item.pk if item else None)),
            judgements=by_line[(criterion.pk, item.pk if item else None)],
        )
        for criterion in criteria.order_by("position")
        for item in (criterion.range_items.all() or [None])
    ]
    decision = SampleDecision.objects.filter(sample=sample).select_related("internal_verifier").first()
    looked_at = set(decision.judgements.values_list("pk", flat=True)) if decision else set()
    signatures = {
        s.role: s
        for s in SignOff.objects.filter(enrolment=enrolment, specification=specification, voided_at=None)
    }
    return {
        "sample": sample,
        "lines": lines,
        "judgement_count": len(judgements),
        "decision": decision,
        "looked_at": looked_at,
        "actions": list(actions_queryset().filter(sample=sample)),
        "signatures": signatures,
        "summative_agreed": bool(
            decision
            and decision.agrees
            and sample.kind == Sample.Kind.SUMMATIVE
            and SignOff.Role.ASSESSOR in signatures
        ),
    }
