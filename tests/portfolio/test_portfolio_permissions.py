"""Who may open and change each portfolio page: every role, including another learner and another centre."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from portfolio.services.mappings import add_mapping
from tests.factories import ROLES, EnrolmentFactory, create_evidence_for, people_around
from units.models import Criterion


@dataclass
class World:
    people: dict
    enrolment: object
    evidence: object
    mapping: object
    specification: object


@pytest.fixture
def world(unit, standard) -> World:
    enrolment = EnrolmentFactory(specifications=[unit, standard])
    evidence = create_evidence_for(enrolment)
    mapping = add_mapping(
        user=enrolment.learner,
        evidence=evidence,
        criterion=Criterion.objects.get(specification=standard, ref="P6"),
    )
    people = people_around(enrolment)
    return World(people, enrolment, evidence, mapping, standard)


# Each page: method, how to build its URL, and the answer for each role.
READ = {
    "learner": 200,
    "other learner": 404,
    "assessor": 200,
    "other assessor": 404,
    "internal verifier": 200,
    "centre admin": 200,
    "eqa": 200,
    "other centre admin": 404,
    "anonymous": 302,
}
LEARNER_WRITES = {
    "learner": 302,
    "other learner": 404,
    "assessor": 403,
    "other assessor": 404,
    "internal verifier": 403,
    "centre admin": 403,
    "eqa": 403,
    "other centre admin": 404,
    "anonymous": 302,
}
LEARNER_FORM = {
    "learner": 200,
    "other learner": 404,
    "assessor": 403,
    "other assessor": 404,
    "internal verifier": 403,
    "centre admin": 403,
    "eqa": 403,
    "other centre admin": 404,
    "anonymous": 302,
}
PAGES = {
    "enrolment page": ("get", lambda w: reverse("assessments:enrolment_detail", args=[w.enrolment.pk]), READ),
    "evidence list": ("get", lambda w: reverse("portfolio:evidence_list", args=[w.enrolment.pk]), READ),
    "criterion matrix": (
        "get",
        lambda w: reverse("assessments:criterion_matrix", args=[w.enrolment.pk, w.specification.pk]),
        READ,
    ),
    "evidence page": ("get", lambda w: reverse("portfolio:evidence_detail", args=[w.evidence.pk]), READ),
    "new evidence form": (
        "get",
        lambda w: reverse("portfolio:evidence_create", args=[w.enrolment.pk]),
        LEARNER_FORM,
    ),
    "edit evidence form": (
        "get",
        lambda w: reverse("portfolio:evidence_edit", args=[w.evidence.pk]),
        LEARNER_FORM,
    ),
    "criterion picker": (
        "get",
        lambda w: reverse("portfolio:criterion_picker", args=[w.evidence.pk]) + "?q=P7",
        {
            "learner": 200,
            "other learner": 404,
            "assessor": 403,
            "other assessor": 404,
            "internal verifier": 403,
            "centre admin": 403,
            "eqa": 403,
            "other centre admin": 404,
            "anonymous": 200,  # htmx asked: told to go to the sign-in page (HX-Redirect), not sent its HTML
        },
    ),
    "add mapping": ("post", lambda w: reverse("portfolio:mapping_add", args=[w.evidence.pk]), LEARNER_WRITES),
    "remove mapping": (
        "post",
        lambda w: reverse("portfolio:mapping_remove", args=[w.mapping.pk]),
        LEARNER_WRITES,
    ),
    "submit evidence": (
        "post",
        lambda w: reverse("portfolio:evidence_submit", args=[w.evidence.pk]),
        LEARNER_WRITES,
    ),
}
assert all(set(answers) == set(ROLES) for _, _, answers in PAGES.values()), "a page leaves a role out"
CASES = [
    pytest.param(page, role, expected, id=f"{page}-{role}")
    for page, (_, _, answers) in PAGES.items()
    for role, expected in answers.items()
]


@pytest.mark.parametrize(("page", "role", "expected"), CASES)
def test_portfolio_page_answers_each_role(client, world, page, role, expected):
    method, url, _ = PAGES[page]
    if world.people[role] is not None:
        client.force_login(world.people[role])
    data = (
        {
            "criterion": Criterion.objects.get(specification=world.specification, ref="P7").pk,
            "declaration": "on",
        }
        if method == "post"
        else {}
    )
    headers = {"HTTP_HX_REQUEST": "true"} if page == "criterion picker" else {}

    response = getattr(client, method)(url(world), data, **headers)

    assert response.status_code == expected
    if role == "anonymous":
        assert response.get("HX-Redirect", response.get("Location", "")).startswith(reverse("login"))


def test_another_learners_evidence_url_does_not_reveal_it_exists(client, world):
    client.force_login(world.people["other learner"])
    response = client.get(reverse("portfolio:evidence_detail", args=[world.evidence.pk]))
    assert response.status_code == 404
    assert world.evidence.title not in response.content.decode()


def test_home_lists_only_what_each_person_may_see(client, world):
    expectations = {
        "learner": [world.enrolment.pk],
        "other learner": [e.pk for e in world.people["other learner"].enrolments.all()],
        "assessor": [world.enrolment.pk],
        "internal verifier": [world.enrolment.pk],
        "other centre admin": [],
    }
    for role, expected in expectations.items():
        client.force_login(world.people[role])
        page = client.get(reverse("assessments:home"))
        shown = sorted(e.pk for e, _ in [*page.context["own"], *page.context["others"]])
        assert shown == sorted(expected), role


def test_centre_admin_and_eqa_see_every_enrolment_of_their_centre(client, world):
    for role in ("centre admin", "eqa"):
        client.force_login(world.people[role])
        page = client.get(reverse("assessments:home"))
        assert len(page.context["others"]) == 2, role
