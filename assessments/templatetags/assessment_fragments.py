"""What assessment adds to the portfolio's evidence page, as fragments the page includes: the assessor's way in
to the review screen, and every round of feedback. The portfolio floor shows them without importing this one."""

from typing import Any

from django import template

from assessments.permissions import can_review
from assessments.selectors.review import feedback_history
from centres.access import access_of
from portfolio.models import Evidence

register = template.Library()


@register.inclusion_tag("assessments/_review_link.html", takes_context=True)
def review_link(context: dict[str, Any], evidence: Evidence) -> dict[str, Any]:
    """The "Review and judge" button, for the learner's assessor only."""
    return {"evidence": evidence, "can_review": can_review(access_of(context["request"]), evidence)}


@register.inclusion_tag("assessments/_feedback.html")
def feedback_rounds(evidence: Evidence) -> dict[str, Any]:
    """Every closed round of assessment with its judgements and feedback, newest first."""
    return {"feedback_history": feedback_history(evidence=evidence)}
