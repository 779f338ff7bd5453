"""Who may see and change a portfolio's evidence, files and history, built on `centres.access.Access`.

Seeing evidence is seeing its enrolment (`centres.permissions.can_view_enrolment`); changing it is the learner's,
before it is judged.
"""

from centres.access import Access
from centres.models import Centre, Enrolment, Membership
from centres.permissions import can_view_enrolment
from portfolio.models import Evidence, EvidenceFile, EvidenceMapping

Role = Membership.Role


def can_add_evidence(access: Access, enrolment: Enrolment) -> bool:
    """Only the learner adds evidence to their own portfolio, and only while the enrolment is active."""
    return access.is_signed_in and access.user_id == enrolment.learner_id and enrolment.is_active


def can_view_evidence(access: Access, evidence: Evidence) -> bool:
    return can_view_enrolment(access, evidence.enrolment)


def can_change_evidence(access: Access, evidence: Evidence) -> bool:
    """The learner changes their evidence (details, files, mappings) only before it is judged."""
    return (
        access.is_signed_in
        and access.user_id == evidence.learner_id
        and evidence.is_editable
        and evidence.enrolment.is_active
    )


def can_submit_evidence(access: Access, evidence: Evidence) -> bool:
    """The learner submits their own evidence (the service says why when it cannot be submitted yet)."""
    return access.is_signed_in and access.user_id == evidence.learner_id


def can_view_mapping(access: Access, mapping: EvidenceMapping) -> bool:
    return can_view_evidence(access, mapping.evidence)


def can_view_file(access: Access, evidence_file: EvidenceFile) -> bool:
    return can_view_evidence(access, evidence_file.evidence)


def can_view_history(access: Access, *, learner_id: int, centre: Centre) -> bool:
    """The learner's assessor or IV (on any of their enrolments in the centre), its administrators, an EQA under
    a grant in force for the whole centre or one of the learner's enrolments, and the learner themself.

    The learner may read their own history: it is a record of what was done to their work and by whom (their
    own submissions and declarations, and every judgement and sign-off on it), which they could ask for anyway
    as the subject of the data; seeing it is how they can tell that nothing was changed behind their back.
    Nobody may change it, the learner included. People of another centre are answered 404 by the view.
    """
    if not access.is_signed_in:
        return False
    if access.user_id == learner_id or access.holds(Role.ADMIN, centre.pk):
        return True
    return access.eqa_reads_learner(centre_id=centre.pk, learner_id=learner_id) or access.oversees_learner(
        centre_id=centre.pk, learner_id=learner_id
    )
