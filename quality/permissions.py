"""Who may see and change the sampling strategy, plans, samples and actions, built on `centres.access.Access`."""

from centres.access import Access
from centres.models import Centre, Membership
from quality.models import Action, Sample, SamplingPlan
from quality.rules import assessed_by

Role = Membership.Role
IQA_ROLES = frozenset({Role.ADMIN, Role.INTERNAL_VERIFIER})


def _iqa_roles(access: Access, centre_id: int) -> frozenset[str]:
    return access.roles_in(centre_id) if access.is_signed_in else frozenset()


def can_edit_strategy(access: Access, centre: Centre) -> bool:
    """The centre's administrators and its IVs (the lead IV sets the risk ratings)."""
    return bool(_iqa_roles(access, centre.pk) & IQA_ROLES)


def can_view_strategy(access: Access, centre: Centre) -> bool:
    """Those who edit it, and the centre's EQAs (read-only) while a whole-centre grant is in force."""
    return can_edit_strategy(access, centre) or access.eqa_reads_centre(centre.pk)


def can_generate_plan(access: Access, centre: Centre) -> bool:
    """An IV of the centre generates their own sampling plan."""
    return Role.INTERNAL_VERIFIER in _iqa_roles(access, centre.pk)


def can_view_iqa_dashboard(access: Access) -> bool:
    """IVs of any centre (the IQA menu item and dashboard)."""
    return access.is_signed_in and access.holds_anywhere(Role.INTERNAL_VERIFIER)


def can_manage_plan(access: Access, plan: SamplingPlan) -> bool:
    """Only the plan's own IV, while still an IV of the centre, changes its samples."""
    return access.user_id == plan.internal_verifier_id and can_generate_plan(access, plan.centre)


def can_view_plan(access: Access, plan: SamplingPlan) -> bool:
    """The plan's IV, the centre's other IVs and administrators, and its EQAs (read-only, with a whole-centre
    grant in force)."""
    return (
        can_manage_plan(access, plan)
        or bool(_iqa_roles(access, plan.centre_id) & IQA_ROLES)
        or access.eqa_reads_centre(plan.centre_id)
    )


def can_view_sample(access: Access, sample: Sample) -> bool:
    """The plan's internal verifier; the centre's administrators and EQAs read it."""
    if not access.is_signed_in:
        return False
    if access.user_id == sample.plan.internal_verifier_id:
        return True
    return access.holds(Role.ADMIN, sample.plan.centre_id) or access.eqa_reads_enrolment(sample.enrolment)


def can_decide_sample(access: Access, sample: Sample) -> bool:
    """Only the plan's IV, and never on decisions they made as the assessor (the service checks judgements)."""
    return (
        access.is_signed_in
        and access.user_id == sample.plan.internal_verifier_id
        and not assessed_by(access.user_id, enrolment=sample.enrolment, assessor_ids=[sample.assessor_id])
    )


def can_sign_for_iv(access: Access, sample: Sample) -> bool:
    """The admin check and completion are signed by the plan's IV or the learner's own IV."""
    return access.is_signed_in and access.user_id in (
        sample.plan.internal_verifier_id,
        sample.enrolment.internal_verifier_id,
    )


def can_respond_to_action(access: Access, action: Action) -> bool:
    return access.is_signed_in and access.user_id == action.owner_id


def can_close_action(access: Access, action: Action) -> bool:
    return access.is_signed_in and access.user_id == action.set_by_id
