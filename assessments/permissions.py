"""Who may judge, observe, sign and reopen, built on `centres.access.Access`. Views ask these; the services enforce
the same rules again with messages a person can act on."""

from centres.access import Access
from centres.models import Enrolment, Membership
from portfolio.models import Evidence


def can_assess(access: Access, enrolment: Enrolment) -> bool:
    """Only the enrolment's own assessor judges and observes, never their own portfolio, while it is open."""
    return (
        access.is_signed_in
        and access.user_id == enrolment.assessor_id
        and access.user_id != enrolment.learner_id
        and enrolment.is_open
    )


def can_review(access: Access, evidence: Evidence) -> bool:
    return can_assess(access, evidence.enrolment)


def can_sign(access: Access, enrolment: Enrolment) -> bool:
    """The learner and their assessor sign a unit off (the internal verifier's signatures are IQA's)."""
    return access.is_signed_in and access.user_id in (enrolment.learner_id, enrolment.assessor_id)


def can_reopen(access: Access, enrolment: Enrolment) -> bool:
    return can_assess(access, enrolment)


def can_view_caseload(access: Access) -> bool:
    """Assessors of any centre (the Caseload menu item and page)."""
    return access.is_signed_in and access.holds_anywhere(Membership.Role.ASSESSOR)
