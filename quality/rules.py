"""The rules of internal quality assurance that more than one service and page ask, each written once."""

from collections.abc import Iterable

from django.db.models import QuerySet

from assessments.models import Judgement
from centres.models import Enrolment


def assessed_by(
    person_id: int | None,
    *,
    enrolment: Enrolment,
    assessor_ids: Iterable[int | None] = (),
    judgements: QuerySet[Judgement] | None = None,
) -> bool:
    """Whether these are the person's own assessment decisions, which an internal verifier never verifies: they
    are the learner, the enrolment's assessor (or the assessor a sample was taken from), or they made any of
    `judgements` (one query, only when given)."""
    if person_id is None:
        return False
    if person_id in (enrolment.learner_id, enrolment.assessor_id, *assessor_ids):
        return True
    return judgements is not None and judgements.filter(assessor_id=person_id).exists()
