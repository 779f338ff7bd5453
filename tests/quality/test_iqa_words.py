"""What an internal verifier reads: one date format, a plan period that starts today unless changed, controls
named for the sample they act on, and "you assessed this" when the decisions are their own."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from quality.models import Sample
from quality.services.plans import generate_plan
from tests.factories import DEFAULT_PASSWORD, EnrolmentFactory
from tests.quality.test_iqa_samples import decide, make_sample, observe_everything, signed_unit


@pytest.fixture
def enrolment(unit):
    return EnrolmentFactory(specifications=[unit])


def test_the_admin_check_date_reads_like_every_other_date(client, enrolment, unit):
    signed_unit(enrolment, unit)
    sample = make_sample(enrolment, unit, kind=Sample.Kind.SUMMATIVE)
    decide(sample)
    client.force_login(enrolment.internal_verifier)
    client.post(
        reverse("quality:sample_admin_check", args=[sample.pk]),
        {"checked_on": "2026-11-30", "password": DEFAULT_PASSWORD},
    )
    page = client.get(reverse("quality:sample_detail", args=[sample.pk])).content.decode()
    assert "checked 30 Nov 2026, signed" in page
    assert "2026-11-30" not in page.replace('value="2026-11-30"', "")


def test_the_plan_period_starts_today_unless_the_iv_says_otherwise(client, enrolment):
    client.force_login(enrolment.internal_verifier)
    page = client.get(reverse("quality:dashboard")).content.decode()
    assert f'name="period_start" value="{timezone.localdate().isoformat()}"' in page


def test_an_iv_opening_a_sample_of_their_own_decisions_is_told_they_assessed_it(client, enrolment, unit):
    observe_everything(enrolment, unit)
    sample = make_sample(enrolment, unit, iv=enrolment.assessor)
    client.force_login(enrolment.assessor)
    page = client.get(reverse("quality:sample_detail", args=[sample.pk])).content.decode()
    assert "You assessed this: these are your own assessment decisions" in page
    refused = client.post(reverse("quality:sample_decide", args=[sample.pk]), {"decision": "agree"})
    assert refused.status_code == 403
    assert "You assessed this: these are your own assessment decisions" in refused.content.decode()


def test_the_plans_controls_name_the_sample_they_act_on(client, enrolment, unit):
    observe_everything(enrolment, unit)
    iv = enrolment.internal_verifier
    plan = generate_plan(
        centre=enrolment.centre, internal_verifier=iv, period_start=timezone.localdate(), by=iv, seed=1
    )
    client.force_login(iv)
    page = client.get(reverse("quality:plan", args=[plan.pk])).content.decode()
    name = f"{escape(enrolment.learner.full_name)}, L/652/0848"
    for label in (f"Move up: {name}", f"Move down: {name}", f"Re-date {name}", f"Remove {name}"):
        assert f'aria-label="{label}' in page, label
