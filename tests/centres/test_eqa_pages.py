"""The centre's EQA access pages: who may open them, granting and ending access through them, the log of pages
opened, and what they cost."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.models import AuditEntry
from centres.models import EQAGrant, EQAPageView, Membership
from tests.factories import ROLES, EnrolmentFactory, eqa_with_grant, member, people_around

Role = Membership.Role


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def enrolment(unit):
    return EnrolmentFactory(specifications=[unit])


@pytest.fixture
def people(enrolment):
    return people_around(enrolment)


@pytest.fixture
def grant(people):
    return EQAGrant.objects.get(eqa=people["eqa"])


PAGES = {
    "grants page": ("get", lambda e, g: reverse("centres:eqa_grants", args=[e.centre.pk])),
    "grant": ("post", lambda e, g: reverse("centres:eqa_grants", args=[e.centre.pk])),
    "revoke": ("post", lambda e, g: reverse("centres:eqa_revoke", args=[e.centre.pk, g.pk])),
    "log": ("get", lambda e, g: reverse("centres:eqa_log", args=[e.centre.pk, g.pk])),
}
ANSWERS = {
    "grants page": {
        "learner": 403,
        "other learner": 403,
        "assessor": 403,
        "other assessor": 403,
        "internal verifier": 403,
        "centre admin": 200,
        "eqa": 403,
        "other centre admin": 404,
        "anonymous": 302,
    },
    "grant": {
        "learner": 403,
        "other learner": 403,
        "assessor": 403,
        "other assessor": 403,
        "internal verifier": 403,
        "centre admin": 200,
        "eqa": 403,
        "other centre admin": 404,
        "anonymous": 302,
    },
    "revoke": {
        "learner": 403,
        "other learner": 403,
        "assessor": 403,
        "other assessor": 403,
        "internal verifier": 403,
        "centre admin": 302,
        "eqa": 403,
        "other centre admin": 404,
        "anonymous": 302,
    },
    "log": {
        "learner": 403,
        "other learner": 403,
        "assessor": 403,
        "other assessor": 403,
        "internal verifier": 403,
        "centre admin": 200,
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
def test_eqa_access_pages_answer_each_role(client, enrolment, people, grant, page, role, expected):
    if people[role] is not None:
        client.force_login(people[role])
    method, url = PAGES[page]
    assert getattr(client, method)(url(enrolment, grant)).status_code == expected


def test_a_grant_of_another_centre_is_not_found_from_this_one(client, enrolment, people, unit):
    other = EnrolmentFactory(specifications=[unit])
    foreign = EQAGrant.objects.get(eqa=people_around(other)["eqa"])
    client.force_login(people["centre admin"])
    assert client.get(reverse("centres:eqa_log", args=[enrolment.centre.pk, foreign.pk])).status_code == 404
    assert (
        client.post(reverse("centres:eqa_revoke", args=[enrolment.centre.pk, foreign.pk])).status_code == 404
    )


def test_the_overview_links_to_the_eqa_page_for_administrators_only(client, enrolment, people):
    link = f'<a href="{reverse("centres:eqa_grants", args=[enrolment.centre.pk])}">'
    overview = reverse("centres:overview", args=[enrolment.centre.pk])
    client.force_login(people["centre admin"])
    assert link in client.get(overview).content.decode()
    client.force_login(people["eqa"])
    assert link not in client.get(overview).content.decode()


def test_the_grants_page_shows_each_grant_with_its_scope_period_and_state(client, enrolment, people, grant):
    admin = people["centre admin"]
    eqa_with_grant(
        enrolment.centre,
        granted_by=admin,
        whole_centre=False,
        enrolments=[enrolment],
        days=(-60, -31),
        full_name="Olga Old",
    )
    client.force_login(admin)
    page = client.get(reverse("centres:eqa_grants", args=[enrolment.centre.pk])).content.decode()
    assert "The whole centre" in page
    assert f"<li>{escape(enrolment.learner.full_name)}</li>" in page
    assert f"{days(-30):%d/%m/%Y} to {days(30):%d/%m/%Y}" in page
    assert (page.count(">In force</span>"), page.count(">Ended</span>")) == (1, 1)
    assert page.count("End access<span") == 1


def test_admin_grants_chosen_portfolios_through_the_form(client, enrolment, people):
    eqa = member(enrolment.centre, Role.EQA, full_name="Nina New")
    client.force_login(people["centre admin"])
    response = client.post(
        reverse("centres:eqa_grants", args=[enrolment.centre.pk]),
        {"eqa": eqa.pk, "enrolments": [enrolment.pk], "starts_on": days(0), "ends_on": days(90)},
        follow=True,
    )
    made = EQAGrant.objects.get(eqa=eqa)
    assert (made.whole_centre, list(made.enrolments.all()), made.starts_on, made.ends_on) == (
        False,
        [enrolment],
        days(0),
        days(90),
    )
    assert f"may read the chosen portfolios from {days(0):%d/%m/%Y} to {days(90):%d/%m/%Y}." in (
        response.content.decode()
    )
    assert AuditEntry.objects.filter(action="eqa.granted", actor=people["centre admin"]).count() == 1


def test_the_form_offers_only_the_centres_eqas(client, enrolment, people):
    client.force_login(people["centre admin"])
    choices = (
        client.get(reverse("centres:eqa_grants", args=[enrolment.centre.pk])).context["form"].fields["eqa"]
    )
    assert list(choices.queryset) == [people["eqa"]]


def test_a_grant_without_portfolios_shows_the_reason_and_saves_nothing(client, enrolment, people):
    client.force_login(people["centre admin"])
    response = client.post(
        reverse("centres:eqa_grants", args=[enrolment.centre.pk]),
        {"eqa": people["eqa"].pk, "starts_on": days(0), "ends_on": days(9)},
    )
    assert response.status_code == 200
    assert "Choose at least one portfolio, or the whole centre." in response.content.decode()
    assert EQAGrant.objects.count() == 1


def test_a_period_ending_before_it_starts_shows_the_reason(client, enrolment, people):
    client.force_login(people["centre admin"])
    response = client.post(
        reverse("centres:eqa_grants", args=[enrolment.centre.pk]),
        {"eqa": people["eqa"].pk, "whole_centre": "on", "starts_on": days(5), "ends_on": days(1)},
    )
    assert "The access must end on or after the day it starts." in response.content.decode()
    assert EQAGrant.objects.count() == 1


def test_another_centres_portfolio_is_not_a_choice(client, enrolment, people, unit):
    other = EnrolmentFactory(specifications=[unit])
    client.force_login(people["centre admin"])
    response = client.post(
        reverse("centres:eqa_grants", args=[enrolment.centre.pk]),
        {"eqa": people["eqa"].pk, "enrolments": [other.pk], "starts_on": days(0), "ends_on": days(9)},
    )
    assert response.context["form"].errors["enrolments"] == [
        f"Select a valid choice. {other.pk} is not one of the available choices."
    ]
    assert EQAGrant.objects.count() == 1


def test_admin_ends_an_access_and_the_eqa_reads_nothing_after(client, enrolment, people, grant):
    client.force_login(people["centre admin"])
    response = client.post(reverse("centres:eqa_revoke", args=[enrolment.centre.pk, grant.pk]), follow=True)
    grant.refresh_from_db()
    assert grant.ends_on == days(-1)
    assert f"The access of {escape(people['eqa'])} has ended." in response.content.decode()
    client.force_login(people["eqa"])
    assert client.get(reverse("assessments:enrolment_detail", args=[enrolment.pk])).status_code == 404


def test_ending_an_ended_access_says_so(client, enrolment, people, grant):
    grant.starts_on, grant.ends_on = days(-9), days(-2)
    grant.save()
    client.force_login(people["centre admin"])
    response = client.post(reverse("centres:eqa_revoke", args=[enrolment.centre.pk, grant.pk]), follow=True)
    assert "This access has already ended." in response.content.decode()


def test_the_log_lists_the_pages_opened_newest_first_a_page_at_a_time(client, enrolment, people, grant):
    EQAPageView.objects.bulk_create(EQAPageView(grant=grant, path=f"/enrolments/{n}/") for n in range(55))
    client.force_login(people["centre admin"])
    url = reverse("centres:eqa_log", args=[enrolment.centre.pk, grant.pk])
    first = client.get(url)
    second = client.get(url, {"page": 2})
    assert [view.path for view in first.context["views"]][:2] == ["/enrolments/54/", "/enrolments/53/"]
    assert (len(first.context["views"]), len(second.context["views"])) == (50, 5)
    assert "55 pages opened, showing 1 to 50, newest first." in first.content.decode()
    assert [view.path for view in second.context["views"]][-1] == "/enrolments/0/"


def test_an_empty_log_says_so(client, enrolment, people, grant):
    client.force_login(people["centre admin"])
    page = client.get(reverse("centres:eqa_log", args=[enrolment.centre.pk, grant.pk])).content.decode()
    assert f"{escape(people['eqa'].full_name)} has not opened any page under this access." in page


def test_the_admins_own_visits_to_the_log_are_not_logged(client, enrolment, people, grant):
    client.force_login(people["centre admin"])
    client.get(reverse("centres:eqa_log", args=[enrolment.centre.pk, grant.pk]))
    assert EQAPageView.objects.count() == 0


@pytest.mark.parametrize("count", [1, 30])
def test_grants_page_costs_the_same_queries_for_1_or_30_grants(
    client, enrolment, people, unit, count, django_assert_num_queries
):
    admin = people["centre admin"]
    chosen = [EnrolmentFactory(centre=enrolment.centre, specifications=[unit]) for _ in range(3)]
    for n in range(count - 1):
        eqa_with_grant(enrolment.centre, granted_by=admin, whole_centre=n % 2 == 0, enrolments=chosen)
    client.force_login(admin)
    url = reverse("centres:eqa_grants", args=[enrolment.centre.pk])
    client.get(url)
    # session, user, the session's second-factor device, centre, roles, unread count, grants with page-view counts, the grants' chosen portfolios,
    # whether the centre has any EQA, the EQA choices, the portfolio choices
    with django_assert_num_queries(11):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("count", [1, 60])
def test_log_page_costs_the_same_queries_for_1_or_60_views(
    client, enrolment, people, grant, count, django_assert_num_queries
):
    EQAPageView.objects.bulk_create(EQAPageView(grant=grant, path=f"/p/{n}/") for n in range(count))
    client.force_login(people["centre admin"])
    url = reverse("centres:eqa_log", args=[enrolment.centre.pk, grant.pk])
    client.get(url)
    # session, user, the session's second-factor device, centre, roles, grant, page-view count, unread count, the page of views
    with django_assert_num_queries(9):
        assert client.get(url, {"page": 2 if count > 50 else 1}).status_code == 200
