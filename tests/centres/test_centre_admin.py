"""Centres, memberships, assessment methods and enrolments in the Django admin."""

import pytest
from django.urls import reverse

from centres.models import Membership
from tests.factories import CentreFactory, EnrolmentFactory, UserFactory, create_specification, member

Role = Membership.Role


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def enrolment(db):
    return EnrolmentFactory(
        centre=CentreFactory(name="Riverside Care Academy"), specifications=[create_specification()]
    )


@pytest.mark.parametrize("model", ["centre", "membership", "assessmentmethod", "enrolment"])
def test_changelist_opens(superuser_client, enrolment, model):
    assert superuser_client.get(reverse(f"admin:centres_{model}_changelist")).status_code == 200


def test_enrolment_change_page_lists_its_specifications_inline(superuser_client, enrolment):
    page = superuser_client.get(
        reverse("admin:centres_enrolment_change", args=[enrolment.pk])
    ).content.decode()
    assert "T/000/0001 Test unit T/000/0001 (v1)" in page


def test_membership_search_finds_a_person_by_email(superuser_client, enrolment):
    response = superuser_client.get(
        reverse("admin:centres_membership_changelist"), {"q": enrolment.assessor.email}
    )
    assert [str(row) for row in response.context["cl"].result_list] == [
        f"{enrolment.assessor} - Assessor at Riverside Care Academy"
    ]


@pytest.mark.parametrize("count", [1, 30])
def test_enrolment_changelist_costs_the_same_for_1_or_30(
    superuser_client, db, django_assert_num_queries, count
):
    centre = CentreFactory()
    for _ in range(count):
        EnrolmentFactory(centre=centre)
    member(centre, Role.ADMIN)
    # session, user, the session's second-factor device, centres (filter), count of the list, count of all, enrolments with centre and people,
    # first and last start dates, start dates (date hierarchy)
    with django_assert_num_queries(9):
        superuser_client.get(reverse("admin:centres_enrolment_changelist"))
