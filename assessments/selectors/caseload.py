"""An assessor's caseload: their learners with progress, work to review, referrals and units ready to sign; each
list a queryset the page pages, so the page costs the same whatever the caseload's size."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet, Subquery

from accounts.models import User
from assessments.models import SignOff
from assessments.selectors.met import with_progress
from assessments.selectors.review import open_reopenings
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


def _ready(enrolment: Enrolment, specification: Specification, signed: dict[str, SignOff]) -> ReadyToSign:
    state = (
        "learner has signed: yours to sign"
        if SignOff.Role.LEARNER in signed
        else "all met: waiting for the learner's signature"
    )
    return ReadyToSign(enrolment, specification, state)


def caseload_enrolments(*, assessor: User) -> QuerySet[Enrolment]:
    """The assessor's learners (not withdrawn), by name, with people and specifications prefetched."""
    return (
        enrolments_queryset()
        .filter(assessor=assessor)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .order_by("learner__full_name", "pk")
    )


def _evidence_of(enrolments: QuerySet[Enrolment]) -> QuerySet[Evidence]:
    return Evidence.objects.filter(enrolment__in=enrolments.values("pk")).select_related("method", "learner")


def awaiting_review(enrolments: QuerySet[Enrolment]) -> QuerySet[Evidence]:
    """Evidence submitted or resubmitted by these learners, and accepted evidence with judgements the internal
    verifier reopened, oldest first."""
    evidence = _evidence_of(enrolments)
    reopened = open_reopenings(evidence_ids=evidence.values("pk"))
    return evidence.filter(
        Q(status__in=Evidence.AWAITING_STATUSES)
        | Q(status=Evidence.Status.ACCEPTED, pk__in=Subquery(reopened.values("evidence_id")))
    ).order_by("submitted_at", "pk")


def referred_back(enrolments: QuerySet[Enrolment]) -> QuerySet[Evidence]:
    """Evidence referred back to these learners, awaiting resubmission, longest waiting first."""
    return _evidence_of(enrolments).filter(status=Evidence.Status.REFERRED).order_by("updated_at", "pk")


def ready_to_sign(enrolments: QuerySet[Enrolment]) -> list[ReadyToSign]:
    """Units with everything met that the assessor has not signed yet, in the learners' order."""
    learners = with_progress(enrolments)
    signatures = signatures_in_force(enrolments=[row.enrolment for row in learners])
    return [
        _ready(row.enrolment, item.specification, signed)
        for row in learners
        for item in row.specifications
        if item.progress.complete
        and SignOff.Role.ASSESSOR
        not in (signed := signatures.get((row.enrolment.pk, item.specification.pk), {}))
    ]
