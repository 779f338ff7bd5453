"""The plan's CAMERA coverage, stored when its samples change, so the IV dashboard reads one row instead of
rebuilding the centre's whole sampling pool on every view (#15). Called inside the transaction that changes the
samples, so the stored summary and the samples never disagree."""

from quality.models import SamplingPlan
from quality.selectors.coverage import as_summary, coverage


def store_coverage(plan: SamplingPlan) -> None:
    """Work out the plan's coverage from its samples now and store it on the plan."""
    plan.coverage_summary = as_summary(coverage(plan))
    SamplingPlan.objects.filter(pk=plan.pk).update(coverage_summary=plan.coverage_summary)
