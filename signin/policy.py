"""Who must pass a second factor after their password: everyone who judges, verifies, administers or reads a
centre's records (assessors, internal verifiers, centre administrators, EQAs) and the site's operators. Learners
may choose one; once they have, it is asked of them too."""

from accounts.models import User
from centres.access import Access
from centres.models import Membership

Role = Membership.Role
STAFF_ROLES = (Role.ASSESSOR, Role.INTERNAL_VERIFIER, Role.ADMIN, Role.EQA)


def second_factor_required(access: Access) -> bool:
    """Whether the person's roles (or their operator status) make a second factor compulsory."""
    user = access.user
    if isinstance(user, User) and (user.is_staff or user.is_superuser):
        return True
    return any(access.holds_anywhere(role) for role in STAFF_ROLES)
