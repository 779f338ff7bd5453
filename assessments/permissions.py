"""Who may judge, observe, sign and reopen. Views ask these; the services enforce the same rules again."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from assessments.eqa import eqa_can_read_enrolment, eqa_can_view_centre
from assessments.models import Action, Sample, SamplingPlan
from portfolio.models import Centre, Enrolment, Evidence, Membership
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


# Internal quality assurance: the sampling strategy and sampling plans


def _iqa_roles(user: User | AnonymousUser, centre_id: int) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    return roles_in(user, centre_id)


def can_view_strategy(user: User | AnonymousUser, centre: Centre) -> bool:
    """The centre's administrators and IVs, and its EQAs (read-only) while a whole-centre grant is in force."""
    return bool(
        _iqa_roles(user, centre.pk) & {Membership.Role.ADMIN, Membership.Role.INTERNAL_VERIFIER}
    ) or eqa_can_view_centre(user, centre)


def can_edit_strategy(user: User | AnonymousUser, centre: Centre) -> bool:
    """The centre's administrators and its IVs (the lead IV sets the risk ratings)."""
    return bool(_iqa_roles(user, centre.pk) & {Membership.Role.ADMIN, Membership.Role.INTERNAL_VERIFIER})


def can_generate_plan(user: User | AnonymousUser, centre: Centre) -> bool:
    """An IV of the centre generates their own sampling plan."""
    return Membership.Role.INTERNAL_VERIFIER in _iqa_roles(user, centre.pk)


def can_view_iqa_dashboard(user: User | AnonymousUser) -> bool:
    """IVs of any centre; read from the per-request role cache that the other menu items share."""
    if not user.is_authenticated or not user.is_active:
        return False
    roles_in(user, 0)  # fills the cache with the person's roles in every centre, once per request
    return any(Membership.Role.INTERNAL_VERIFIER in roles for roles in user._centre_roles.values())


def can_manage_plan(user: User | AnonymousUser, plan: SamplingPlan) -> bool:
    """Only the plan's own IV, while still an IV of the centre, changes its samples."""
    return user.pk == plan.internal_verifier_id and can_generate_plan(user, plan.centre)


def can_view_plan(user: User | AnonymousUser, plan: SamplingPlan) -> bool:
    """The plan's IV, the centre's other IVs and administrators, and its EQAs (read-only, with a whole-centre
    grant in force)."""
    return (
        can_manage_plan(user, plan)
        or bool(_iqa_roles(user, plan.centre_id) & {Membership.Role.ADMIN, Membership.Role.INTERNAL_VERIFIER})
        or eqa_can_view_centre(user, plan.centre)
    )


# Internal quality assurance: samples and actions


def can_view_sample(user: User | AnonymousUser, sample: Sample) -> bool:
    """The plan's internal verifier; the centre's administrators and EQAs read it."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.pk == sample.plan.internal_verifier_id:
        return True
    return Membership.Role.ADMIN in roles_in(user, sample.plan.centre_id) or eqa_can_read_enrolment(
        user, sample.enrolment
    )


def can_decide_sample(user: User | AnonymousUser, sample: Sample) -> bool:
    """Only the plan's IV, and never on decisions they made as the assessor (the service checks judgements)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.pk == sample.plan.internal_verifier_id
        and user.pk not in (sample.assessor_id, sample.enrolment.assessor_id, sample.enrolment.learner_id)
    )


def can_respond_to_action(user: User | AnonymousUser, action: Action) -> bool:
    return user.is_authenticated and user.is_active and user.pk == action.owner_id


def can_close_action(user: User | AnonymousUser, action: Action) -> bool:
    return user.is_authenticated and user.is_active and user.pk == action.set_by_id
