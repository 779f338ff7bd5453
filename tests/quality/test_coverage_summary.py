"""The IV dashboard reads the plan's coverage as stored when its samples last changed (#15 item 3), not the
centre's whole sampling pool rebuilt on every view; the stored summary is always what working it out gives."""

import datetime

import pytest
from django.urls import reverse

from quality.models import SamplingPlan
from quality.selectors.coverage import as_summary, coverage
from quality.services.plans import add_sample, generate_plan, remove_sample
from tests.factories import EnrolmentFactory
from tests.quality.test_iqa_plan_pages import observe

START = datetime.date(2026, 12, 1)


@pytest.fixture
def plan(unit, standard) -> SamplingPlan:
    enrolment = EnrolmentFactory(specifications=[unit, standard])
    observe(enrolment, unit)
    observe(EnrolmentFactory(centre=enrolment.centre, specifications=[unit]), unit, ref="1.1")
    iv = enrolment.internal_verifier
    return generate_plan(centre=enrolment.centre, internal_verifier=iv, period_start=START, by=iv, seed=1)


def stored(plan: SamplingPlan) -> list:
    return SamplingPlan.objects.get(pk=plan.pk).coverage_summary


def test_a_generated_plan_stores_its_coverage(plan):
    assert stored(plan) == as_summary(coverage(plan))


def test_removing_a_sample_stores_the_coverage_without_it(plan):
    before = stored(plan)

    remove_sample(sample=plan.samples.last(), by=plan.internal_verifier)

    assert stored(plan) == as_summary(coverage(plan))
    assert stored(plan) != before  # the plan covered every item; now it misses one


def test_adding_a_sample_back_stores_the_coverage_with_it(plan):
    sample = plan.samples.last()
    target = {"enrolment": sample.enrolment, "specification": sample.specification, "group": sample.group}
    remove_sample(sample=sample, by=plan.internal_verifier)

    add_sample(plan=plan, by=plan.internal_verifier, **target)

    assert stored(plan) == as_summary(coverage(plan))


def test_the_dashboard_shows_the_stored_coverage_without_building_the_pool(client, plan, monkeypatch):
    def no_pool(**kwargs):
        raise AssertionError("the dashboard rebuilt the sampling pool")

    monkeypatch.setattr("quality.selectors.coverage.load_pool", no_pool)
    client.force_login(plan.internal_verifier)

    response = client.get(reverse("quality:dashboard"))

    assert response.status_code == 200
    assert as_summary(response.context["dashboard"].coverage) == stored(plan)


def test_a_plan_made_before_the_summary_was_stored_has_its_coverage_worked_out(client, plan):
    SamplingPlan.objects.filter(pk=plan.pk).update(coverage_summary=None)
    client.force_login(plan.internal_verifier)

    response = client.get(reverse("quality:dashboard"))

    assert as_summary(response.context["dashboard"].coverage) == as_summary(coverage(plan))
