"""The sample page, the IV's decision, actions and signatures over HTTP: who may use them, what they show, cost."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Judgement, SignOff
from assessments.services import AssessmentError
from portfolio.models import Evidence
from quality.models import Action, Sample
from quality.services.signatures import record_admin_check
from tests.assessments.test_assessment_rules import judge
from tests.factories import (
    DEFAULT_PASSWORD,
    ROLES,
    EnrolmentFactory,
    create_specification,
    lines_of,
    people_around,
    submitted_evidence,
)
from tests.quality.test_iqa_samples import decide, make_sample, observe_everything, signed_unit


@pytest.fixture
def enrolment(unit):
    return EnrolmentFactory(specifications=[unit])


@pytest.fixture
def world(enrolment, unit):
    """A decided sample with one action for the assessor, and everyone around the enrolment."""
    observe_everything(enrolment, unit)
    sample = make_sample(enrolment, unit)
    decide(
        sample,
        agrees=False,
        actions=[("Add the observation record.", timezone.localdate() + datetime.timedelta(days=7))],
    )
    people = people_around(enrolment)
    return {"sample": sample, "action": Action.objects.get(), "people": people, "unit": unit}


PAGES = {
    "sample page": ("get", lambda w: reverse("quality:sample_detail", args=[w["sample"].pk])),
    "decide": ("post", lambda w: reverse("quality:sample_decide", args=[w["sample"].pk])),
    "respond": ("post", lambda w: reverse("quality:action_respond", args=[w["action"].pk])),
    "close": ("post", lambda w: reverse("quality:action_close", args=[w["action"].pk])),
    "feedback and actions": ("get", lambda w: reverse("quality:my_iqa")),
}
ANSWERS = {
    "sample page": {
        "learner": 404,
        "other learner": 404,
        "assessor": 404,
        "other assessor": 404,
        "internal verifier": 200,
        "centre admin": 200,
        "eqa": 200,
        "other centre admin": 404,
        "anonymous": 302,
    },
    "decide": {
        "learner": 404,
        "other learner": 404,
        "assessor": 404,
        "other assessor": 404,
        "internal verifier": 400,
        "centre admin": 403,
        "eqa": 403,
        "other centre admin": 404,
        "anonymous": 302,
    },
    "respond": {
        "learner": 404,
        "other learner": 404,
        "assessor": 302,
        "other assessor": 404,
        "internal verifier": 403,
        "centre admin": 403,
        "eqa": 403,
        "other centre admin": 404,
        "anonymous": 302,
    },
    "close": {
        "learner": 404,
        "other learner": 404,
        "assessor": 403,
        "other assessor": 404,
        "internal verifier": 302,
        "centre admin": 403,
        "eqa": 403,
        "other centre admin": 404,
        "anonymous": 302,
    },
    "feedback and actions": {
        "learner": 200,
        "other learner": 200,
        "assessor": 200,
        "other assessor": 200,
        "internal verifier": 200,
        "centre admin": 200,
        "eqa": 200,
        "other centre admin": 200,
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
def test_iqa_page_answers_each_role(client, world, page, role, expected):
    person = world["people"][role]
    if person is not None:
        client.force_login(person)
    method, url = PAGES[page]
    response = getattr(client, method)(url(world), {"response": "Done."})
    assert response.status_code == expected


def test_the_iv_records_a_disagreement_with_an_action_on_the_sample_page(client, enrolment, unit):
    evidence = observe_everything(enrolment, unit)
    sample = make_sample(enrolment, unit)
    looked = list(Judgement.objects.filter(evidence=evidence).order_by("pk")[:2])
    client.force_login(enrolment.internal_verifier)
    due = timezone.localdate() + datetime.timedelta(days=7)
    response = client.post(
        reverse("quality:sample_decide", args=[sample.pk]),
        {
            "decision": "disagree",
            "valid": "on",
            "authentic": "on",
            "feedback": "The observation does not show 1.1 b).",
            "judgements": [j.pk for j in looked],
            "action_text_1": "Observe 1.1 again.",
            "action_due_1": due.isoformat(),
        },
    )
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.status == Evidence.Status.ACCEPTED  # only the two judgements looked at are reopened
    assert Judgement.objects.filter(evidence=evidence, reopening__isnull=False).count() == 2
    action = Action.objects.get()
    assert (action.text, action.due_on, action.owner) == ("Observe 1.1 again.", due, enrolment.assessor)
    page = client.get(reverse("quality:sample_detail", args=[sample.pk])).content.decode()
    assert "<strong>Disagreed</strong>" in page
    assert "The observation does not show 1.1 b)." in page


def test_an_iv_sampling_their_own_decisions_is_refused_on_the_page(client, enrolment, unit):
    observe_everything(enrolment, unit)
    sample = make_sample(enrolment, unit, iv=enrolment.assessor)
    client.force_login(enrolment.assessor)
    response = client.post(reverse("quality:sample_decide", args=[sample.pk]), {"decision": "agree"})
    assert response.status_code == 403


def test_a_decision_without_judgements_looked_at_is_shown_back_with_the_error(client, enrolment, unit):
    observe_everything(enrolment, unit)
    sample = make_sample(enrolment, unit)
    client.force_login(enrolment.internal_verifier)
    response = client.post(
        reverse("quality:sample_decide", args=[sample.pk]), {"decision": "agree", "feedback": "Fine."}
    )
    assert response.status_code == 400
    assert "Judgements looked at: This field is required." in response.content.decode()


def test_the_assessor_sees_feedback_the_reopened_judgement_and_a_marked_overdue_action(
    client, world, enrolment
):
    Action.objects.filter(pk=world["action"].pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=2)
    )
    client.force_login(enrolment.assessor)
    page = client.get(reverse("quality:my_iqa")).content.decode()
    assert "2.1 is not shown by this evidence." in page
    assert "Reopened for you to judge again:" in page
    assert reverse("assessments:review", args=[Evidence.objects.get().pk]) in page
    assert '<mark class="badge overdue">Overdue</mark>' in page
    assert "Add the observation record." in page


def test_the_assessor_responds_and_the_iv_closes_the_action(client, world, enrolment):
    action = world["action"]
    client.force_login(enrolment.assessor)
    client.post(reverse("quality:action_respond", args=[action.pk]), {"response": "Observed again."})
    client.force_login(enrolment.internal_verifier)
    response = client.post(reverse("quality:action_close", args=[action.pk]))
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.response) == (Action.Status.CLOSED, "Observed again.")


def test_the_iv_signs_the_admin_check_and_completion_on_an_agreed_summative_sample(client, enrolment, unit):
    signed_unit(enrolment, unit)
    sample = make_sample(enrolment, unit, kind=Sample.Kind.SUMMATIVE)
    decide(sample)
    client.force_login(enrolment.internal_verifier)
    url = reverse("quality:sample_detail", args=[sample.pk])
    assert "Sign the admin check" in client.get(url).content.decode()
    client.post(
        reverse("quality:sample_admin_check", args=[sample.pk]),
        {"checked_on": timezone.localdate().isoformat(), "password": DEFAULT_PASSWORD},
    )
    assert "Confirm unit completion" in client.get(url).content.decode()
    client.post(reverse("quality:sample_completion", args=[sample.pk]), {"password": "wrong"})
    assert not SignOff.objects.filter(role="completion").exists()
    client.post(reverse("quality:sample_completion", args=[sample.pk]), {"password": DEFAULT_PASSWORD})
    completion = SignOff.objects.get(role="completion")
    matrix = client.get(
        reverse("assessments:criterion_matrix", args=[enrolment.pk, unit.pk])
    ).content.decode()
    assert "Unit completion confirmed" in matrix
    assert completion.digest in matrix


def test_the_matrix_shows_the_iv_rows_as_not_signed(client, enrolment, unit):
    client.force_login(enrolment.learner)
    matrix = client.get(
        reverse("assessments:criterion_matrix", args=[enrolment.pk, unit.pk])
    ).content.decode()
    assert "<dt>Admin check</dt>" in matrix
    assert matrix.count("<strong>Not signed</strong>") == 4


def test_the_admin_check_is_refused_before_the_summative_sample_is_agreed(client, enrolment, unit):
    signed_unit(enrolment, unit)
    sample = make_sample(enrolment, unit, kind=Sample.Kind.SUMMATIVE)
    client.force_login(enrolment.internal_verifier)
    response = client.post(
        reverse("quality:sample_admin_check", args=[sample.pk]),
        {"checked_on": timezone.localdate().isoformat(), "password": DEFAULT_PASSWORD},
        follow=True,
    )
    assert "The admin check can be recorded only after a summative sample of L/652/0848 is agreed." in (
        response.content.decode()
    )
    with pytest.raises(AssessmentError, match="only after a summative sample"):
        record_admin_check(
            iv=enrolment.internal_verifier,
            enrolment=enrolment,
            specification=unit,
            password=DEFAULT_PASSWORD,
            checked_on=timezone.localdate(),
        )


@pytest.mark.parametrize("criteria", [1, 30])
def test_the_sample_page_costs_the_same_queries_for_1_or_30_judgements(
    client, db, django_assert_num_queries, criteria
):
    specification = create_specification(groups=3, criteria_per_group=10)
    enrolment = EnrolmentFactory(specifications=[specification])
    for target in lines_of(specification)[:criteria]:
        evidence = submitted_evidence(enrolment, [target])
        judge(evidence, {evidence.mappings.get().label: True})
    sample = make_sample(enrolment, specification)
    client.force_login(enrolment.internal_verifier)
    # session, user, the session's second-factor device, sample with plan, people, unit and group, sampled judgements, their evidence's current files,
    # decision, met states (latest judgements, mappings), criteria, range items, actions, signatures in force,
    # roles, unread count
    with django_assert_num_queries(15):
        response = client.get(reverse("quality:sample_detail", args=[sample.pk]))
    assert response.context["judgement_count"] == criteria
