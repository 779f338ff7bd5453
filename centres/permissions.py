"""Who may see and change a centre's pages and its enrolments, built on `centres.access.Access`.

An object the person may not know exists is answered with 404 (`read_or_404`); one they can see but not change
with 403 (`change_or_403`).
"""

from centres.access import Access
from centres.models import Centre, Enrolment, Membership

Role = Membership.Role


def can_view_enrolment(access: Access, enrolment: Enrolment) -> bool:
    """The learner, their assessor and IV, the centre's administrators, and an EQA under a grant covering it."""
    if not access.is_signed_in:
        return False
    return (
        access.is_on_enrolment(enrolment)
        or access.holds(Role.ADMIN, enrolment.centre_id)
        or access.eqa_reads_enrolment(enrolment)
    )


def can_manage_centre(access: Access, centre: Centre) -> bool:
    """Centre administrators register people and manage enrolments, for their own centre only."""
    return access.is_signed_in and access.holds(Role.ADMIN, centre.pk)


def can_view_centre(access: Access, centre: Centre) -> bool:
    """Its administrators, and its EQAs while a whole-centre grant is in force (the pages read-only)."""
    return can_manage_centre(access, centre) or access.eqa_reads_centre(centre.pk)


def can_know_centre(access: Access, centre: Centre) -> bool:
    """Any member of a centre knows it exists (so a page they may not open answers 403); to others, 404."""
    return access.is_signed_in and access.is_member(centre.pk)


def can_view_any_centre(access: Access) -> bool:
    """Administrators of a centre, and EQAs with a whole-centre grant in force (the Centre menu item)."""
    return access.is_signed_in and (access.holds_anywhere(Role.ADMIN) or access.has_whole_centre_grant())


def can_grant_eqa_access(access: Access, centre: Centre) -> bool:
    """Only the centre's administrators grant, end and read the log of EQA access."""
    return can_manage_centre(access, centre)
