"""The stored progress figures: each enrolled specification's lines, lines with evidence and lines met, kept on
`EnrolledSpecification` so that every list reads them without recomputing "met" for every line on every view.

`refresh_progress` recomputes them from the judgements (`assessments.selectors.met.progress_for`, the one
definition) for the enrolments a change touched, inside the caller's transaction: every service that changes a
mapping, a judgement, an evidence's status or an enrolment's specifications calls it (the floors below through
`portfolio.signals.evidence_changed` and `centres.signals.specifications_changed`). `recompute_progress`
(the command) does the same for everything, for data loaded in bulk.
"""

from collections.abc import Iterable

from django.db import transaction

from assessments.selectors.met import progress_for
from centres.models import EnrolledSpecification, Enrolment

FIGURES = ["lines", "evidenced", "met"]
Figures = tuple[int, int, int]  # lines, evidenced, met


def stale_progress(
    *, enrolment_ids: Iterable[int], lock: bool = False
) -> list[tuple[EnrolledSpecification, Figures]]:
    """Enrolled specifications whose stored figures differ from what the judgements say, with the figures they
    should hold. `lock` takes the enrolments' rows first, so that two changes to one portfolio at once store
    figures in turn, each counting the other's committed work."""
    enrolments = Enrolment.objects.filter(pk__in=set(enrolment_ids)).order_by("pk")
    if lock:
        enrolments = enrolments.select_for_update(of=("self",))
    found = list(enrolments.prefetch_related("enrolled_specifications__specification", "learner"))
    progress = progress_for(found)
    stale = []
    for enrolment in found:
        for enrolled in enrolment.enrolled_specifications.all():
            figures = progress[(enrolment.pk, enrolled.specification_id)]
            expected = (figures.total, figures.mapped, figures.met)
            if (enrolled.lines, enrolled.evidenced, enrolled.met) != expected:
                stale.append((enrolled, expected))
    return stale


def refresh_progress(*, enrolment_ids: Iterable[int]) -> int:
    """Store the figures of these enrolments' specifications as the judgements now say; how many changed."""
    with transaction.atomic():
        stale = stale_progress(enrolment_ids=enrolment_ids, lock=True)
        for enrolled, (lines, evidenced, met) in stale:
            enrolled.lines, enrolled.evidenced, enrolled.met = lines, evidenced, met
        EnrolledSpecification.objects.bulk_update([enrolled for enrolled, _ in stale], FIGURES)
        return len(stale)
