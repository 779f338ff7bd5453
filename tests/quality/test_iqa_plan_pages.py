"""The sampling strategy, IQA dashboard and sampling plan pages: who may use them, what they do, cost."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from assessments.services.observations import record_observation
from centres.models import Membership
from quality.models import Action, Rating, Sample, SampleDecision, SamplingPlan
from quality.services.coverage import store_coverage
from quality.services.plans import generate_plan
from tests.factories import ROLES, EnrolmentFactory, eqa_with_grant, member, people_around
from units.models import Criterion

HTMX = {"HTTP_HX_REQUEST": "true"}
START = datetime.date(2026, 12, 1)


def observe(enrolment, specification, ref: str = "3.1") -> None:
    """An observation of one line: the criterion, or its first range item when it has them."""
    criterion = Criterion.objects.get(specification=specification, ref=ref)
    record_observation(
        assessor=enrolment.assessor, enrolment=enrolment, date="2026-10-01", setting="Riverside",
        observed="Observed.", title="Observation",
        targets=[(criterion, criterion.range_items.order_by("position").first())],
    )  # fmt: skip


@pytest.fixture
def enrolment(unit, standard):
    enrolment = EnrolmentFactory(specifications=[unit, standard])
    observe(enrolment, unit)
    return enrolment


@pytest.fixture
def plan(enrolment):
    iv = enrolment.internal_verifier
    return generate_plan(centre=enrolment.centre, internal_verifier=iv, period_start=START, by=iv, seed=1)


def strategy_data(enrolment, **changes) -> dict:
    data = {
        "period_months": 12,
        "interim_percent": 60,
        "high_learners": 100,
        "high_units": 100,
        "medium_learners": 50,
        "medium_units": 50,
        "low_learners": 20,
        "low_units": 20,
    }
    for person in Membership.objects.filter(centre=enrolment.centre, role="assessor").values_list(
        "user_id", flat=True
    ):
        data[f"rating_{person}"] = "high"
        data[f"reason_{person}"] = "New to the role"
    return data | changes


PAGES = {
    "strategy": ("get", lambda w: reverse("quality:strategy", args=[w["enrolment"].centre_id])),
    "save strategy": ("post", lambda w: reverse("quality:strategy", args=[w["enrolment"].centre_id])),
    "dashboard": ("get", lambda w: reverse("quality:dashboard")),
    "plan": ("get", lambda w: reverse("quality:plan", args=[w["plan"].pk])),
    "add sample": ("post", lambda w: reverse("quality:sample_add", args=[w["plan"].pk])),
    "remove sample": (
        "post",
        lambda w: reverse("quality:sample_remove", args=[w["plan"].samples.first().pk]),
    ),
    "generate plan": (
        "post",
        lambda w: reverse("quality:plan_generate", args=[w["enrolment"].centre_id]),
    ),
}
ANSWERS = {
    "strategy": {
        "learner": 403,
        "other learner": 403,
        "assessor": 403,
        "other assessor": 403,
        "internal verifier": 200,
        "centre admin": 200,
        "eqa": 200,
        "other centre admin": 404,
        "anonymous": 302,
    },
    "save strategy": {
        "learner": 403,
        "other learner": 403,
        "assessor": 403,
        "other assessor": 403,
        "internal verifier": 400,
        "centre admin": 400,
        "eqa": 403,
        "other centre admin": 404,
        "anonymous": 302,
    },
    "dashboard": {
        "learner": 403,
        "other learner": 403,
        "assessor": 403,
        "other assessor": 403,
        "internal verifier": 200,
        "centre admin": 403,
        "eqa": 403,
        "other centre admin": 403,
        "anonymous": 302,
    },
    "plan": {
        "learner": 403,
        "other learner": 403,
        "assessor": 403,
        "other assessor": 403,
        "internal verifier": 200,
        "centre admin": 200,
        "eqa": 200,
        "other centre admin": 404,
        "anonymous": 302,
    },
    "add sample": {
        "learner": 403,
        "other learner": 403,
        "assessor": 403,
        "other assessor": 403,
        "internal verifier": 400,
        "centre admin": 403,
        "eqa": 403,
        "other centre admin": 404,
        "anonymous": 302,
    },
    "remove sample": {
        "learner": 403,
        "other learner": 403,
        "assessor": 403,
        "other assessor": 403,
        "internal verifier": 302,
        "centre admin": 403,
        "eqa": 403,
        "other centre admin": 404,
        "anonymous": 302,
    },
    "generate plan": {
        "learner": 403,
        "other learner": 403,
        "assessor": 403,
        "other assessor": 403,
        "internal verifier": 302,
        "centre admin": 403,
        "eqa": 403,
        "other centre admin": 404,
        "anonymous": 302,
    },
}
assert all(set(answers) == set(ROLES) for answers in ANSWERS.values()), "a page leaves a role out"


@pytest.mark.parametrize(
    ("page", "role", "expected"),
    [
        pytest.param(page, role, expected, id=f"{page}-{role}")
        for page, answers in ANSWERS.items()
        for role, expected in answers.items()
    ],
)
def test_iqa_page_answers_each_role(client, enrolment, plan, page, role, expected):
    people = people_around(enrolment)
    if people[role] is not None:
        client.force_login(people[role])
    method, url = PAGES[page]
    response = getattr(client, method)(url({"enrolment": enrolment, "plan": plan}), {"period_start": "x"})
    assert response.status_code == expected


def test_the_strategy_page_shows_the_defaults_on_first_visit(client, enrolment):
    client.force_login(enrolment.internal_verifier)
    page = client.get(reverse("quality:strategy", args=[enrolment.centre_id])).content.decode()
    assert 'name="high_learners" value="100"' in page
    assert 'name="medium_units" value="50"' in page
    assert 'name="low_learners" value="20"' in page
    assert 'name="interim_percent" value="60"' in page
    assert 'name="period_months" value="12"' in page


def test_the_admin_saves_the_strategy_with_a_rating_per_assessor(client, enrolment):
    admin = member(enrolment.centre, Membership.Role.ADMIN)
    client.force_login(admin)
    url = reverse("quality:strategy", args=[enrolment.centre_id])
    response = client.post(url, strategy_data(enrolment, medium_learners=40), follow=True)
    assert "Sampling strategy of" in response.content.decode()
    strategy = enrolment.centre.sampling_strategy
    assert strategy.levels.get(rating="medium").learners_percent == 40
    assert strategy.assessor_risks.get().rating == Rating.HIGH


def test_the_strategy_form_names_the_bad_percentage_and_the_unrated_assessor(client, enrolment):
    client.force_login(enrolment.internal_verifier)
    url = reverse("quality:strategy", args=[enrolment.centre_id])
    data = strategy_data(enrolment, interim_percent=140) | {f"rating_{enrolment.assessor_id}": ""}
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Interim share (%): Ensure this value is less than or equal to 100." in page
    assert f"No rating for {escape(enrolment.assessor.full_name)}: choose high, medium or low." in page


def test_the_iv_generates_a_plan_and_sees_its_samples_and_coverage(client, enrolment):
    client.force_login(enrolment.internal_verifier)
    response = client.post(
        reverse("quality:plan_generate", args=[enrolment.centre_id]),
        {"period_start": "2026-12-01", "seed": "5"},
        follow=True,
    )
    page = response.content.decode()
    plan = SamplingPlan.objects.get()
    assert plan.seed == 5
    assert "Sampling plan generated (seed 5)." in page
    assert "High-risk assessor: 100% of learners sampled (not rated yet, so sampled as high risk)" in page
    assert "CAMERA coverage" in page
    assert reverse("quality:sample_detail", args=[plan.samples.first().pk]) in page


def test_generating_with_nothing_to_sample_says_why(client, unit):
    enrolment = EnrolmentFactory(specifications=[unit])
    client.force_login(enrolment.internal_verifier)
    response = client.post(
        reverse("quality:plan_generate", args=[enrolment.centre_id]),
        {"period_start": "2026-12-01"},
        follow=True,
    )
    assert "no assessor has judged any evidence." in response.content.decode()
    assert not SamplingPlan.objects.exists()


def test_removing_a_sample_with_htmx_redraws_the_samples_in_place(client, enrolment, plan):
    client.force_login(enrolment.internal_verifier)
    count = plan.samples.count()
    response = client.post(reverse("quality:sample_remove", args=[plan.samples.first().pk]), **HTMX)
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="plan-samples"')
    assert "Sample removed." in page
    assert plan.samples.count() == count - 1


def test_the_iv_moves_a_sample_down_without_javascript(client, enrolment, plan, unit, standard):
    first, second = list(plan.samples.order_by("position"))[:2]
    client.force_login(enrolment.internal_verifier)
    response = client.post(reverse("quality:sample_move", args=[first.pk]), {"direction": "down"})
    assert response.status_code == 302
    assert list(plan.samples.order_by("position").values_list("pk", flat=True))[:2] == [second.pk, first.pk]


def test_the_eqa_sees_the_plan_without_controls(client, enrolment, plan):
    admin = member(enrolment.centre, Membership.Role.ADMIN)
    client.force_login(eqa_with_grant(enrolment.centre, granted_by=admin))
    page = client.get(reverse("quality:plan", args=[plan.pk])).content.decode()
    assert "Samples (0 of" in page
    assert "Add a sample by hand" not in page
    assert "Remove" not in page


def test_an_eqa_without_a_grant_in_force_cannot_open_the_plan(client, enrolment, plan):
    client.force_login(member(enrolment.centre, Membership.Role.EQA))
    assert client.get(reverse("quality:plan", args=[plan.pk])).status_code == 403


def test_the_iqa_menu_item_shows_for_ivs_only(client, enrolment):
    client.force_login(enrolment.internal_verifier)
    assert ">IQA</a>" in client.get(reverse("quality:dashboard")).content.decode()
    client.force_login(enrolment.assessor)
    assert ">IQA</a>" not in client.get(reverse("assessments:caseload")).content.decode()


def test_the_dashboard_shows_progress_agreement_and_overdue_actions(client, enrolment, plan):
    iv = enrolment.internal_verifier
    sample = plan.samples.first()
    SampleDecision.objects.create(
        sample=sample, internal_verifier=iv, agrees=False, valid=True, authentic=True, current=True,
        sufficient=False, feedback="More detail.", decided_at=timezone.now(),
    )  # fmt: skip
    Action.objects.create(
        sample=sample, owner=enrolment.assessor, set_by=iv, text="Add feedback on 3.1",
        due_on=timezone.localdate() - datetime.timedelta(days=1),
    )  # fmt: skip
    client.force_login(iv)
    page = client.get(reverse("quality:dashboard")).content.decode()
    assert f"1 of {plan.samples.count()} decided" in page
    assert "Open actions (1, 1 overdue)" in page
    assert '<strong class="met-no">Overdue:</strong>' in page
    assert (
        '<td data-label="Samples decided">1</td><td data-label="Agreed">0</td>'
        '<td data-label="Agreement rate">0%</td>' in page
    )


def build_plan(centre_enrolment, unit, samples: int) -> SamplingPlan:
    """A plan of `samples` samples over as many learners, each decided, with an action."""
    iv = centre_enrolment.internal_verifier
    plan = SamplingPlan.objects.create(
        centre=centre_enrolment.centre, internal_verifier=iv, period_start=START,
        period_end=START.replace(year=2027), seed=1, generated_by=iv,
    )  # fmt: skip
    for position in range(samples):
        enrolment = EnrolmentFactory(
            centre=centre_enrolment.centre, internal_verifier=iv, specifications=[unit]
        )
        observe(enrolment, unit, ref=f"{position % 7 + 1}.1")
        sample = Sample.objects.create(
            plan=plan, enrolment=enrolment, specification=unit, assessor=enrolment.assessor,
            kind="interim", reason="By hand", position=position,
        )  # fmt: skip
        SampleDecision.objects.create(
            sample=sample, internal_verifier=iv, agrees=position % 2 == 0, valid=True, authentic=True,
            current=True, sufficient=True, feedback="Fine.", decided_at=timezone.now(),
        )  # fmt: skip
        Action.objects.create(sample=sample, owner=enrolment.assessor, set_by=iv, text="Do", due_on=START)
    store_coverage(plan)
    return plan


@pytest.mark.parametrize("samples", [1, 12])
def test_the_dashboard_costs_the_same_queries_for_1_or_12_samples(
    client, unit, django_assert_num_queries, samples
):
    first = EnrolmentFactory(specifications=[unit])
    build_plan(first, unit, samples)
    client.force_login(first.internal_verifier)
    # session, user, the session's second-factor device, roles, the IV's plans with progress counts (the latest
    # plan's coverage stored on it), open actions, the IV's centres; agreement counts by assessor, those
    # assessors; unread count
    with django_assert_num_queries(10):
        response = client.get(reverse("quality:dashboard"))
    assert len(response.context["dashboard"].actions) == samples


@pytest.mark.parametrize("samples", [1, 12])
def test_the_plan_page_costs_the_same_queries_for_1_or_12_samples(
    client, unit, django_assert_num_queries, samples, monkeypatch
):
    monkeypatch.setattr("accounts.paging.PER_PAGE", 5)  # 12 samples are three pages
    first = EnrolmentFactory(specifications=[unit])
    plan = build_plan(first, unit, samples)
    client.force_login(first.internal_verifier)
    # session, user, the session's second-factor device, plan with centre and IV, roles, how many samples are
    # planned and decided; coverage: enrolments to sample, their specifications, others' judgements, assessor
    # sign-offs, learners with accepted evidence, groups, the samples' keys; the page: count, samples with
    # learner, unit, group, assessor and decision; the learner units the IV may add, unread count
    with django_assert_num_queries(17):
        response = client.get(reverse("quality:plan", args=[plan.pk]))
    assert (len(response.context["samples"]), response.context["planned"]) == (min(samples, 5), samples)


def test_the_plan_page_pages_its_samples_and_numbers_them_across_pages(client, unit, monkeypatch):
    monkeypatch.setattr("accounts.paging.PER_PAGE", 5)
    first = EnrolmentFactory(specifications=[unit])
    plan = build_plan(first, unit, 12)
    client.force_login(first.internal_verifier)

    page = client.get(reverse("quality:plan", args=[plan.pk]), {"page": "3"}).content.decode()

    assert "Showing 11–12 of 12 samples" in page
    assert '<td data-label="Sample">11</td>' in page
    assert '<nav class="pagination" aria-label="Pages of samples">' in page
    assert (
        f'action="{reverse("quality:sample_move", args=[plan.samples.order_by("position").last().pk])}?page=3"'
        in page
    )
