"""Evidence numbers under concurrency, against a real PostgreSQL server (CI runs the suite there)."""

import pytest
from django.db import connection

from portfolio.models import Evidence
from tests.concurrency import in_parallel
from tests.factories import EnrolmentFactory, create_evidence_for

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL: run with DATABASE_URL=postgres://…"
)


def test_twenty_parallel_creations_get_twenty_distinct_consecutive_numbers(transactional_db):
    enrolment = EnrolmentFactory()

    errors = in_parallel(20, lambda: create_evidence_for(enrolment))

    assert errors == []
    assert sorted(Evidence.objects.values_list("number", flat=True)) == list(range(1, 21))


def test_the_first_pieces_of_two_learners_do_not_wait_on_each_other(transactional_db):
    first, second = EnrolmentFactory(), EnrolmentFactory()

    errors = in_parallel(2, lambda: [create_evidence_for(first), create_evidence_for(second)])

    assert errors == []
    assert sorted(Evidence.objects.filter(learner=first.learner).values_list("number", flat=True)) == [1, 2]
    assert sorted(Evidence.objects.filter(learner=second.learner).values_list("number", flat=True)) == [1, 2]


def test_a_form_posted_twice_at_once_makes_one_piece(transactional_db):
    enrolment = EnrolmentFactory()
    key = "0d6f2b7e-5c1a-4f3e-8b9d-7a6c5e4d3b2a"

    errors = in_parallel(2, lambda: create_evidence_for(enrolment, form_key=key))

    assert errors == []
    assert list(Evidence.objects.values_list("number", flat=True)) == [1]
