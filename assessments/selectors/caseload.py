"""An assessor's caseload: their learners with progress, work to review, referrals and units ready to sign."""

from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from assessments.models import SignOff
from assessments.selectors.met import EnrolmentProgress, with_progress
from assessments.selectors.signatures import signatures_in_force
from centres.models import Enrolment
from centres.selectors import enrolments_queryset
from portfolio.models import Evidence
from units.models import Specification


@dataclass(frozen=True)
class ReadyToSign:
    """A unit with everything met that the assessor has not signed: who signs next, in words."""

    enrolment: Enrolment
    specification: Specification
    state: str


@dataclass(frozen=True)
class Caseload:
    learners: list[EnrolmentProgress]
    awaiting_review: list[Evidence]
    referred: list[Evidence]
    ready_to_sign: list[ReadyToSign]

    @staticmethod
    def age(evidence: Evidence) -> int:
        return (timezone.now() - evidence.submitted_at).days if evidence.submitted_at else 0


def _ready(enrolment: Enrolment, specification: Specification, signed: dict[str, SignOff]) -> ReadyToSign:
    state = (
        "learner has signed: yours to sign"
        if SignOff.Role.LEARNER in signed
        else "all met: waiting for the learner's signature"
    )
    return ReadyToSign(enrolment, specification, state)


def caseload(*, assessor: User) -> Caseload:
    """An assessor's day: learners with progress, work to review (oldest first), referrals, units to sign."""
    enrolments = list(
        enrolments_queryset()
        .filter(assessor=assessor)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .order_by("learner__full_name")
    )
    learners = with_progress(enrolments)
    signatures = signatures_in_force(enrolments=enrolments)
    ready = [
        _ready(row.enrolment, item.specification, signed)
        for row in learners
        for item in row.specifications
        if item.progress.complete
        and SignOff.Role.ASSESSOR
        not in (signed := signatures.get((row.enrolment.pk, item.specification.pk), {}))
    ]
    evidence = Evidence.objects.filter(enrolment__in=enrolments).select_related("method", "learner")
    return Caseload(
        learners=learners,
        awaiting_review=list(
            evidence.filter(status__in=Evidence.AWAITING_STATUSES).order_by("submitted_at", "pk")
        ),
        referred=list(evidence.filter(status=Evidence.Status.REFERRED).order_by("updated_at")),
        ready_to_sign=ready,
    )
