"""Who may download completion records and start, follow and download exports: every role, including another
learner of the same centre and another centre's administrator."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from centres.models import Enrolment, Membership
from records.models import Export
from records.services import start_cohort_export, start_portfolio_export
from tests.factories import ROLES, people_around
from tests.records.conftest import in_progress_portfolio


@dataclass
class World:
    people: dict
    enrolment: object
    specification: object
    portfolio_export: Export
    cohort_export: Export


@pytest.fixture
def world(unit, media, made, plain_records) -> World:
    enrolment = in_progress_portfolio(unit)
    people = people_around(enrolment)
    return World(
        people=people,
        enrolment=enrolment,
        specification=unit,
        portfolio_export=made(start_portfolio_export, user=enrolment.learner, enrolment=enrolment),
        cohort_export=made(
            start_cohort_export, user=people["centre admin"], centre=enrolment.centre, scope="centre"
        ),
    )


# The answer for each role.
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
EXPORT_PORTFOLIO = {
    "learner": 302,
    "other learner": 404,
    "assessor": 302,
    "other assessor": 404,
    "internal verifier": 302,
    "centre admin": 302,
    "eqa": 403,
    "other centre admin": 404,
    "anonymous": 302,
}
CENTRE_PAGE = {
    "learner": 403,
    "other learner": 403,
    "assessor": 403,
    "other assessor": 403,
    "internal verifier": 403,
    "centre admin": 200,
    "eqa": 200,
    "other centre admin": 404,
    "anonymous": 302,
}
EXPORT_COHORT = {
    "learner": 403,
    "other learner": 403,
    "assessor": 403,
    "other assessor": 403,
    "internal verifier": 403,
    "centre admin": 302,
    "eqa": 403,
    "other centre admin": 404,
    "anonymous": 302,
}
COHORT_EXPORT = {
    "learner": 404,
    "other learner": 404,
    "assessor": 404,
    "other assessor": 404,
    "internal verifier": 404,
    "centre admin": 200,
    "eqa": 200,
    "other centre admin": 404,
    "anonymous": 302,
}
PAGES = {
    "completion record": (
        "get",
        lambda w: reverse("records:completion_record", args=[w.enrolment.pk, w.specification.pk]),
        READ,
    ),
    "records and export page": (
        "get",
        lambda w: reverse("records:portfolio_exports", args=[w.enrolment.pk]),
        READ,
    ),
    "export a portfolio": (
        "post",
        lambda w: reverse("records:portfolio_exports", args=[w.enrolment.pk]),
        EXPORT_PORTFOLIO,
    ),
    "portfolio export page": ("get", lambda w: reverse("records:export", args=[w.portfolio_export.pk]), READ),
    "portfolio export download": (
        "get",
        lambda w: reverse("records:download_export", args=[w.portfolio_export.pk]),
        READ,
    ),
    "centre exports page": (
        "get",
        lambda w: reverse("records:centre_exports", args=[w.enrolment.centre_id]),
        CENTRE_PAGE,
    ),
    "export a cohort": (
        "post",
        lambda w: reverse("records:centre_exports", args=[w.enrolment.centre_id]),
        EXPORT_COHORT,
    ),
    "cohort export page": (
        "get",
        lambda w: reverse("records:export", args=[w.cohort_export.pk]),
        COHORT_EXPORT,
    ),
    "cohort export download": (
        "get",
        lambda w: reverse("records:download_export", args=[w.cohort_export.pk]),
        COHORT_EXPORT,
    ),
}
assert all(set(answers) == set(ROLES) for _, _, answers in PAGES.values()), "a page leaves a role out"


@pytest.mark.parametrize("page", PAGES)
def test_records_page_answers_each_role(client, world, page):
    method, url, expected = PAGES[page]
    answers = {}
    for role in ROLES:
        client.logout()
        if world.people[role] is not None:
            client.force_login(world.people[role])
        response = getattr(client, method)(url(world), {"scope": "centre"} if method == "post" else {})
        answers[role] = response.status_code
        if role == "anonymous":
            assert response["Location"].startswith(reverse("login"))

    assert answers == expected


def test_a_record_of_a_specification_the_enrolment_does_not_cover_is_not_found(client, world, standard):
    client.force_login(world.enrolment.learner)
    response = client.get(reverse("records:completion_record", args=[world.enrolment.pk, standard.pk]))
    assert response.status_code == 404


def test_a_refused_export_request_stores_no_export(client, world):
    before = Export.objects.count()
    client.force_login(world.people["eqa"])
    client.post(reverse("records:centre_exports", args=[world.enrolment.centre_id]), {"scope": "centre"})
    client.force_login(world.people["other learner"])
    client.post(reverse("records:portfolio_exports", args=[world.enrolment.pk]))
    assert Export.objects.count() == before


def test_an_administrator_whose_role_was_removed_no_longer_downloads_the_export_they_asked_for(client, world):
    admin = world.people["centre admin"]
    Membership.objects.filter(user=admin, centre=world.enrolment.centre, role=Membership.Role.ADMIN).delete()
    client.force_login(admin)

    response = client.get(reverse("records:download_export", args=[world.cohort_export.pk]))

    assert response.status_code == 404


def test_a_learner_who_left_no_longer_downloads_their_portfolio_export_once_it_is_not_theirs(client, world):
    world.enrolment.learner = world.people["other learner"]
    Enrolment.objects.filter(pk=world.enrolment.pk).update(learner=world.people["other learner"])
    client.force_login(world.portfolio_export.requested_by)

    assert client.get(reverse("records:download_export", args=[world.portfolio_export.pk])).status_code == 404
