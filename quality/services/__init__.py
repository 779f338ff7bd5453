"""Changes made in internal quality assurance: one transaction each, audited. Refusals raise `QualityError`, an
`AssessmentError`, with a message a person can act on."""

from assessments.services import AssessmentError


class QualityError(AssessmentError):
    """An internal-verification change the rules do not allow."""
