"""Who a person is for a request is one `Access` object, built once and read lazily; nothing is kept on `User`."""

import django.contrib.auth
import pytest
from django.urls import reverse

from centres.access import Access
from centres.models import Membership
from tests.factories import EnrolmentFactory, create_evidence_for, eqa_with_grant, member, people_around


@pytest.fixture
def world(unit):
    enrolment = EnrolmentFactory(specifications=[unit])
    return enrolment, create_evidence_for(enrolment), people_around(enrolment)


def pages(enrolment, evidence) -> list[str]:
    centre = enrolment.centre
    return [
        reverse("assessments:home"),
        reverse("assessments:enrolment_detail", args=[enrolment.pk]),
        reverse("portfolio:evidence_detail", args=[evidence.pk]),
        reverse("portfolio:history", args=[enrolment.pk]),
        reverse("centres:overview", args=[centre.pk]),
        reverse("centres:people", args=[centre.pk]),
        reverse("assessments:caseload"),
        reverse("quality:dashboard"),
    ]


@pytest.mark.parametrize("role", ["eqa", "centre admin", "assessor", "internal verifier", "learner"])
def test_serving_a_page_sets_no_attribute_on_the_user(client, world, monkeypatch, role):
    enrolment, evidence, people = world
    loaded = []
    real_get_user = django.contrib.auth.get_user

    def get_user(request):
        user = real_get_user(request)
        loaded.append((user, set(vars(user))))
        return user

    monkeypatch.setattr(django.contrib.auth, "get_user", get_user)
    client.force_login(people[role])
    for url in pages(enrolment, evidence):
        client.get(url)
        user, attributes = loaded[-1]
        assert set(vars(user)) == attributes, url


def test_an_eqas_page_view_is_logged_under_the_grant_that_served_it(client, world):
    _, evidence, people = world
    client.force_login(people["eqa"])
    client.get(reverse("portfolio:evidence_detail", args=[evidence.pk]))
    (grant,) = people["eqa"].eqa_grants.all()
    assert list(grant.page_views.values_list("path", flat=True)) == [
        reverse("portfolio:evidence_detail", args=[evidence.pk])
    ]


def test_access_reads_roles_once_however_many_centres_are_asked_about(world, django_assert_num_queries):
    enrolment, _, people = world
    access = Access(people["assessor"])
    with django_assert_num_queries(1):  # the person's memberships in every centre
        assert access.roles_in(enrolment.centre_id) == {Membership.Role.ASSESSOR}
        assert access.roles_in(enrolment.centre_id + 1000) == frozenset()
        assert access.holds_anywhere(Membership.Role.ASSESSOR)


def test_a_visitors_access_reads_nothing(db, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):  # none: a visitor has no roles and no grants
        access = Access(AnonymousUser())
        assert access.roles == {}
        assert access.grants == {}


def test_a_grant_for_chosen_portfolios_serves_only_those(world, unit):
    enrolment, _, _ = world
    other = EnrolmentFactory(centre=enrolment.centre, specifications=[unit])
    eqa = eqa_with_grant(
        enrolment.centre, granted_by=member(enrolment.centre, Membership.Role.ADMIN), whole_centre=False,
        enrolments=[enrolment],
    )  # fmt: skip
    access = Access(eqa)
    assert (access.eqa_reads_enrolment(other), access.served_by) == (False, None)
    assert access.eqa_reads_enrolment(enrolment) is True
    assert access.served_by == eqa.eqa_grants.get().pk
