"""An assessor's caseload: their learners with progress, work to review, referrals and units ready to sign; each
list a queryset the page pages, so the page costs the same whatever the caseload's size."""

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from accounts.models import User
from assessments.models import SignOff
from assessments.selectors.review import open_reopenings
from centres.models import EnrolledSpecification, Enrolment
from centres.selectors import enrolments_queryset
from portfolio.models import Evidence


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


def ready_to_sign(enrolments: QuerySet[Enrolment]) -> QuerySet[EnrolledSpecification]:
    """Units with every line met (the stored figures) that the assessor has not signed, in the learners' order;
    each says whether the learner has signed (`learner_signed`)."""
    in_force = SignOff.objects.in_force().filter(
        enrolment_id=OuterRef("enrolment_id"), specification_id=OuterRef("specification_id")
    )
    return (
        EnrolledSpecification.objects.filter(
            enrolment__in=enrolments.values("pk"), lines__gt=0, met=F("lines")
        )
        .exclude(Exists(in_force.filter(role=SignOff.Role.ASSESSOR)))
        .annotate(learner_signed=Exists(in_force.filter(role=SignOff.Role.LEARNER)))
        .select_related("enrolment__learner", "specification")
        .order_by("enrolment__learner__full_name", "enrolment_id", "position")
    )
