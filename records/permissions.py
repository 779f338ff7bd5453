"""Who may make and download exports. Every records view asks these.

A completion record is read like the portfolio it comes from (the views ask `visible_enrolment`, so the EQA
reads it too, read-only). Starting an export is a
change: the learner, their assessor, their IV and the centre's administrators may export one portfolio; only
administrators export a cohort (the centre, an assessor's learners, an enrolment group).
"""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from portfolio.models import Centre, Enrolment
from portfolio.permissions import can_manage_centre, can_view_centre, can_view_enrolment
from records.models import Export


def can_export_portfolio(user: User | AnonymousUser, enrolment: Enrolment) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    people = (enrolment.learner_id, enrolment.assessor_id, enrolment.internal_verifier_id)
    return user.pk in people or can_manage_centre(user, enrolment.centre)


def can_export_cohort(user: User | AnonymousUser, centre: Centre) -> bool:
    return can_manage_centre(user, centre)


def can_view_export(user: User | AnonymousUser, export: Export) -> bool:
    """Who asked for it; whoever reads the whole centre (administrators, EQAs with a whole-centre grant); and,
    for one learner's export, whoever may see that portfolio."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.pk == export.requested_by_id or can_view_centre(user, export.centre):
        return True
    return export.scope == Export.Scope.LEARNER and can_view_enrolment(user, export.enrolment)
