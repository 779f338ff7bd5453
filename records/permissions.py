"""Who may make and download exports. Every records view asks these.

A completion record is read like the portfolio it comes from (the views ask `visible_enrolment`, so the EQA
reads it too, read-only). Starting an export is a change: the learner, their assessor, their IV and the centre's administrators may export one portfolio; only
administrators export a cohort (the centre, an assessor's learners, an enrolment group).
"""

from centres.access import Access
from centres.models import Centre, Enrolment
from centres.permissions import can_manage_centre, can_view_centre, can_view_enrolment
from records.models import Export


def can_export_portfolio(access: Access, enrolment: Enrolment) -> bool:
    """The learner, their assessor or IV, or an administrator of the centre."""
    return access.is_signed_in and (
        access.is_on_enrolment(enrolment) or can_manage_centre(access, enrolment.centre)
    )


def can_export_cohort(access: Access, centre: Centre) -> bool:
    return can_manage_centre(access, centre)


def can_view_export(access: Access, export: Export) -> bool:
    """Whoever reads the whole centre now (administrators, EQAs with a whole-centre grant in force) and, for one
    learner's export, whoever may see that portfolio now. Having asked for an export gives nothing: an
    administrator whose role is removed no longer downloads the cohort export they asked for."""
    if not access.is_signed_in:
        return False
    if can_view_centre(access, export.centre):
        return True
    return (
        export.scope == Export.Scope.LEARNER
        and export.enrolment is not None
        and can_view_enrolment(access, export.enrolment)
    )
