"""Who may see and change what in a portfolio. Every view asks these predicates; nothing else decides.

An object the person may not know exists is answered with 404 (the view's job, when a `can_view_*` is false);
one they can see but not change with 403.
"""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from assessments import eqa
from portfolio.models import Centre, Enrolment, Evidence, EvidenceFile, Membership

Role = Membership.Role


def roles_in(user: User | AnonymousUser, centre_id: int) -> set[str]:
    """The person's roles in a centre, read once per request and kept on the user object."""
    if not user.is_authenticated:
        return set()
    cache: dict[int, set[str]] | None = getattr(user, "_centre_roles", None)
    if cache is None:
        cache = {}
        for centre, role in Membership.objects.filter(user=user).values_list("centre_id", "role"):
            cache.setdefault(centre, set()).add(role)
        user._centre_roles = cache
    return cache.get(centre_id, set())


def can_view_enrolment(user: User | AnonymousUser, enrolment: Enrolment) -> bool:
    """The learner, their assessor and IV, the centre's administrators, and an EQA under a grant covering it."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.pk in (enrolment.learner_id, enrolment.assessor_id, enrolment.internal_verifier_id):
        return True
    return Role.ADMIN in roles_in(user, enrolment.centre_id) or eqa.eqa_can_read_enrolment(user, enrolment)


def can_add_evidence(user: User | AnonymousUser, enrolment: Enrolment) -> bool:
    """Only the learner adds evidence to their own portfolio, and only while the enrolment is active."""
    return user.is_authenticated and user.pk == enrolment.learner_id and enrolment.is_active


def can_view_evidence(user: User | AnonymousUser, evidence: Evidence) -> bool:
    return can_view_enrolment(user, evidence.enrolment)


def can_change_evidence(user: User | AnonymousUser, evidence: Evidence) -> bool:
    """The learner changes their evidence (details, files, mappings) only before it is judged."""
    return (
        user.is_authenticated
        and user.pk == evidence.learner_id
        and evidence.is_editable
        and evidence.enrolment.is_active
    )


def can_view_file(user: User | AnonymousUser, evidence_file: EvidenceFile) -> bool:
    return can_view_evidence(user, evidence_file.evidence)


def can_manage_centre(user: User | AnonymousUser, centre: Centre) -> bool:
    """Centre administrators register people and manage enrolments, for their own centre only."""
    return user.is_authenticated and user.is_active and Role.ADMIN in roles_in(user, centre.pk)


def can_view_centre(user: User | AnonymousUser, centre: Centre) -> bool:
    """Its administrators, and its EQAs while a whole-centre grant is in force (the pages read-only)."""
    return can_manage_centre(user, centre) or eqa.eqa_can_view_centre(user, centre)


def can_know_centre(user: User | AnonymousUser, centre: Centre) -> bool:
    """Any member of a centre knows it exists (so a page they may not open answers 403); to others, 404."""
    return user.is_authenticated and user.is_active and bool(roles_in(user, centre.pk))


def can_view_any_centre(user: User | AnonymousUser) -> bool:
    """Administrators of a centre, and EQAs with a whole-centre grant in force; from the per-request caches."""
    if not user.is_authenticated or not user.is_active:
        return False
    roles_in(user, 0)  # fills user._centre_roles with the roles of every centre, once per request
    return any(
        Role.ADMIN in roles for roles in user._centre_roles.values()
    ) or eqa.has_whole_centre_grant_in_force(user)
