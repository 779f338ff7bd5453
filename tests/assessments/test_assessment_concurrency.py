"""Two assessors (or two tabs) judging the same evidence at once, on PostgreSQL with two connections."""

import threading

import pytest
from django.db import connection

from assessments.models import Judgement
from assessments.services import StaleFormError
from assessments.services.judging import Decision, save_judgements
from tests.concurrency import in_parallel
from tests.factories import EnrolmentFactory, create_specification, lines_of, submitted_evidence

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL: run with DATABASE_URL=postgres://…"
)


def test_the_second_of_two_simultaneous_saves_is_refused_and_nothing_is_overwritten(transactional_db):
    specification = create_specification(groups=1, criteria_per_group=2)
    enrolment = EnrolmentFactory(specifications=[specification])
    evidence = submitted_evidence(enrolment, lines_of(specification)[:1])
    mapping = evidence.mappings.get()
    seen = evidence.version
    outcomes: list[str] = []

    def judge(met: bool) -> None:
        try:
            save_judgements(
                assessor=enrolment.assessor,
                evidence=evidence,
                version=seen,
                decisions=[Decision(mapping.pk, met)],
            )
            outcomes.append(f"saved {met}")
        except StaleFormError:
            outcomes.append("refused")

    verdicts = iter([True, False])
    lock = threading.Lock()

    def next_verdict() -> None:
        with lock:
            met = next(verdicts)
        judge(met)

    assert in_parallel(2, next_verdict) == []
    assert sorted(outcomes)[0] == "refused"
    assert len(outcomes) == 2
    winner = next(outcome for outcome in outcomes if outcome.startswith("saved"))
    assert list(Judgement.objects.values_list("met", flat=True)) == [winner == "saved True"]
    evidence.refresh_from_db()
    assert evidence.version == seen + 1
