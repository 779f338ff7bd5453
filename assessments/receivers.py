"""Assessment's answers to the floors below's signals (connected in `AssessmentsConfig.ready`)."""

from typing import Any

from assessments.services import SignedOffError
from assessments.services.judging import refuse_if_signed
from assessments.services.progress import refresh_progress
from portfolio.models import Evidence
from units.models import Criterion, RangeItem


def refuse_mapping_to_signed_off(
    *, evidence: Evidence, criterion: Criterion, range_item: RangeItem | None, **kwargs: Any
) -> None:
    """A learner maps no more evidence to a specification whose sign-off is in force: its judgements are
    frozen, so nothing new could be judged."""
    try:
        refuse_if_signed(evidence, {criterion.specification_id})
    except SignedOffError:
        raise SignedOffError(
            f"{criterion.specification.code} is signed off as complete, so no more evidence is mapped to it; "
            "ask your assessor if it needs reopening."
        ) from None


def refresh_progress_of(*, evidence: Evidence, **kwargs: Any) -> None:
    """A mapping or a status changed: store the portfolio's figures again, in the same transaction."""
    refresh_progress(enrolment_ids=[evidence.enrolment_id])
