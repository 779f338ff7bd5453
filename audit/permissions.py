"""Who may read a portfolio's history (the audit entries of one learner in one centre)."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from accounts.models import User
from assessments.eqa import eqa_can_read_history
from portfolio.models import Centre, Enrolment, Membership
from portfolio.permissions import roles_in

Role = Membership.Role


def can_view_history(user: User | AnonymousUser, learner: User, centre: Centre) -> bool:
    """The learner's assessor or IV (on any of their enrolments in the centre), its administrators, an EQA under
    a grant in force for the whole centre or one of the learner's enrolments, and the learner themself.

    The learner may read their own history: it is a record of what was done to their work and by whom (their
    own submissions and declarations, and every judgement and sign-off on it), which they could ask for anyway
    as the subject of the data; seeing it is how they can tell that nothing was changed behind their back.
    Nobody may change it, the learner included. People of another centre are answered 404 by the view.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.pk == learner.pk:
        return True
    if Role.ADMIN in roles_in(user, centre.pk) or eqa_can_read_history(user, learner, centre):
        return True
    return Enrolment.objects.filter(
        Q(assessor=user) | Q(internal_verifier=user), centre=centre, learner=learner
    ).exists()
