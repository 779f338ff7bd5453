"""Who may judge, observe, sign and reopen. Views ask these; the services enforce the same rules again."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from portfolio.models import Enrolment, Evidence, Membership
from portfolio.permissions import roles_in


def can_assess(user: User | AnonymousUser, enrolment: Enrolment) -> bool:
    """Only the enrolment's own assessor judges and observes, never their own portfolio."""
    return (
        user.is_authenticated
        and user.is_active
        and user.pk == enrolment.assessor_id
        and user.pk != enrolment.learner_id
        and enrolment.status in (Enrolment.Status.ACTIVE, Enrolment.Status.ON_HOLD)
    )


def can_review(user: User | AnonymousUser, evidence: Evidence) -> bool:
    return can_assess(user, evidence.enrolment)


def can_sign(user: User | AnonymousUser, enrolment: Enrolment) -> bool:
    return user.is_authenticated and user.pk in (enrolment.learner_id, enrolment.assessor_id)


def can_reopen(user: User | AnonymousUser, enrolment: Enrolment) -> bool:
    return can_assess(user, enrolment)


def can_view_caseload(user: User | AnonymousUser) -> bool:
    """Assessors of any centre; read from the per-request role cache that the other menu items share."""
    if not user.is_authenticated or not user.is_active:
        return False
    roles_in(user, 0)  # fills the cache with the person's roles in every centre, once per request
    return any(Membership.Role.ASSESSOR in roles for roles in user._centre_roles.values())
