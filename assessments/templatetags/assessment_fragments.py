"""What assessment adds to the portfolio's evidence page, as fragments the page includes: the assessor's way in
to the review screen, and every round of feedback. The portfolio floor shows them without importing this one."""

from typing import Any

from django import template

from assessments.models import Judgement
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


@register.simple_tag
def mapping_verdicts(evidence: Evidence) -> dict[int, str]:
    """What the assessor made of each mapping so far, in words, by mapping id (one query): the learner's page
    shows it beside each criterion instead of calling a judged mapping "proposed"."""
    latest: dict[int, Judgement] = {}
    for judgement in (
        Judgement.objects.filter(evidence=evidence).only("mapping_id", "round", "met").order_by("round")
    ):
        latest[judgement.mapping_id] = judgement
    awaiting = evidence.is_awaiting_assessment
    verdicts = {}
    for mapping in evidence.mappings.all():
        last = latest.get(mapping.pk)
        if last is None:
            verdicts[mapping.pk] = "proposed, awaiting the assessor" if awaiting else "proposed"
        else:
            verdict = f"judged {'met' if last.met else 'not yet met'} (round {last.round})"
            verdicts[mapping.pk] = f"{verdict}; awaiting the assessor again" if awaiting else verdict
    return verdicts


@register.filter
def verdict_for(verdicts: dict[int, str], mapping_id: int) -> str:
    return verdicts.get(mapping_id, "")
