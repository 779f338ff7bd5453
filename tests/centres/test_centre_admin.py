"""Centres, memberships, assessment methods and enrolments in the Django admin."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
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


def test_a_centre_administrator_cannot_open_the_django_admin(client, enrolment):
    client.force_login(member(enrolment.centre, Role.ADMIN))
    response = client.get(reverse("admin:centres_membership_add"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_enrolments_are_read_only_in_the_admin(superuser_client, enrolment):
    response = superuser_client.post(
        reverse("admin:centres_enrolment_change", args=[enrolment.pk]), {"status": "withdrawn"}
    )
    assert response.status_code == 403
    enrolment.refresh_from_db()
    assert enrolment.status == "active"


def test_a_role_added_or_removed_in_the_admin_is_audited(superuser_client, enrolment):
    person = UserFactory()
    superuser_client.post(
        reverse("admin:centres_membership_add"),
        {"user": person.pk, "centre": enrolment.centre.pk, "role": Role.ADMIN},
    )
    membership = Membership.objects.get(user=person)
    superuser_client.post(reverse("admin:centres_membership_delete", args=[membership.pk]), {"post": "yes"})

    assert list(AuditEntry.objects.order_by("sequence").values_list("action", "centre")) == [
        ("centre.membership_added_in_admin", enrolment.centre.pk),
        ("centre.membership_removed_in_admin", enrolment.centre.pk),
    ]


def test_an_existing_role_cannot_be_rewritten_in_the_admin(superuser_client, enrolment):
    membership = Membership.objects.get(user=enrolment.assessor)
    response = superuser_client.post(
        reverse("admin:centres_membership_change", args=[membership.pk]),
        {"user": enrolment.assessor.pk, "centre": enrolment.centre.pk, "role": Role.ADMIN},
    )
    assert response.status_code == 403
