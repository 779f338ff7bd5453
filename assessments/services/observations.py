"""Direct observations: what an assessor saw becomes accepted OBS evidence, judged met as observed."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from assessments.models import Judgement, Review
from assessments.services import AssessmentError
from assessments.services.judging import evidence_url, refuse_if_signed
from assessments.services.progress import refresh_progress
from audit.services import record
from centres.models import Enrolment
from notifications.services import notify
from portfolio.models import Evidence, EvidenceMapping
from portfolio.services.evidence import add_observed_evidence
from portfolio.services.mappings import check_mappable
from units.models import Criterion, RangeItem


def record_observation(
    *,
    assessor: User,
    enrolment: Enrolment,
    date: Any,
    setting: str,
    observed: str,
    title: str,
    targets: list[tuple[Criterion, RangeItem | None]],
    remote: bool = False,
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
        evidence = add_observed_evidence(
            assessor=assessor,
            enrolment=enrolment,
            method=observation,
            title=title,
            date=date,
            narrative=observed,
            assessment_site=setting,
            remote=remote,
        )
        refuse_if_signed(evidence, {criterion.specification_id for criterion, _ in targets})
        now = timezone.now()
        for criterion, range_item in targets:
            check_mappable(evidence, criterion, range_item)
            mapping = EvidenceMapping.objects.create(
                evidence=evidence, criterion=criterion, range_item=range_item, created_by=assessor
            )
            Judgement.objects.create(
                mapping=mapping, evidence=evidence, round=1, met=True, assessor=assessor, judged_at=now
            )
        Review.objects.create(
            evidence=evidence, round=1, decision=Review.Decision.ACCEPTED, assessor=assessor, decided_at=now
        )
        refresh_progress(enrolment_ids=[enrolment.pk])
        record(
            actor=assessor,
            action="observation.recorded",
            summary=(
                f"{evidence.reference} {'remote' if remote else 'direct'} observation recorded by "
                f"{assessor.full_name}"
            ),
            subject=evidence,
            learner=enrolment.learner_id,
            centre=enrolment.centre_id,
            after={
                "criteria": [
                    f"{c.specification.code} {c.ref}" + (f" {r.ref})" if r else "") for c, r in targets
                ],
                "setting": setting,
                "remote": remote,
            },
        )
        notify(
            recipient=enrolment.learner,
            subject=f"{evidence.reference}: observation recorded",
            message=f"{assessor.full_name} recorded a direct observation of your practice ({title}).",
            url=evidence_url(evidence),
        )
        return evidence
