"""Assessors' decisions and unit sign-off. Each function is one transaction and writes its audit entries in it.

Refusals raise `AssessmentError` (or a subclass) with a message a person can act on. It is a `PortfolioError`,
so a page that catches the portfolio's refusals catches these too.
"""

from portfolio.services import PortfolioError


class AssessmentError(PortfolioError):
    """An assessment change the rules do not allow."""


class StaleFormError(AssessmentError):
    """Someone else changed the evidence since the form was shown: nothing was overwritten."""


class SignedOffError(AssessmentError):
    """The judgement is covered by a signature in force: reopen the unit first."""
