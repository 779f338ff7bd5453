"""Registering people, inviting them and changing their roles: the rules in `portfolio.people`."""

import smtplib
from unittest import mock

import pytest
from django.core import mail

from accounts.models import User
from centres.models import Membership
from centres.services import CentreError, people
from tests.factories import CentreFactory, EnrolmentFactory, UserFactory, member

Role = Membership.Role
BASE_URL = "https://portfolio.example.org"


@pytest.fixture
def centre(db):
    return CentreFactory(name="Riverside Care Academy")


@pytest.fixture
def admin(centre):
    return member(centre, Role.ADMIN, full_name="Dana Admin", email="dana@example.org")


def register(centre, admin, **overrides):
    fields = {
        "email": "sam.lee@example.org",
        "full_name": "Sam Lee",
        "roles": [Role.LEARNER],
        "invited_by": admin,
        "base_url": BASE_URL,
        **overrides,
    }
    return people.register_person(centre=centre, **fields)


def roles_of(user, centre) -> set[str]:
    return set(Membership.objects.filter(user=user, centre=centre).values_list("role", flat=True))


def test_new_person_is_created_without_a_usable_password(centre, admin):
    user = register(centre, admin)
    assert (user.email, user.full_name, user.has_usable_password()) == (
        "sam.lee@example.org",
        "Sam Lee",
        False,
    )


def test_new_person_holds_the_roles_chosen(centre, admin):
    user = register(centre, admin, roles=[Role.LEARNER, Role.ASSESSOR])
    assert roles_of(user, centre) == {"learner", "assessor"}


def test_new_person_gets_one_invitation_with_a_set_password_link(centre, admin):
    register(centre, admin)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam.lee@example.org"]
    assert message.subject == "You are invited to the evidence portfolio of Riverside Care Academy"
    assert (
        "Dana Admin has registered you in the evidence portfolio of Riverside Care Academy as learner."
        in (message.body)
    )
    assert f"{BASE_URL}/accounts/reset/" in message.body


def test_invitation_names_every_role_in_words(centre, admin):
    register(centre, admin, roles=[Role.INTERNAL_VERIFIER, Role.ASSESSOR])
    assert "as assessor and internal verifier." in mail.outbox[0].body


def test_names_with_apostrophes_are_not_html_escaped_in_the_email(centre, admin):
    register(centre, admin, full_name="Siobhán O'Brien")
    assert "Hello Siobhán O'Brien," in mail.outbox[0].body


def test_existing_email_gets_the_roles_added_and_keeps_name_and_password(centre, admin):
    existing = UserFactory(email="sam.lee@example.org", full_name="Samantha Lee")
    user = register(centre, admin, email="Sam.Lee@EXAMPLE.org", full_name="Sam Lee", roles=[Role.ASSESSOR])
    user.refresh_from_db()
    assert (user.pk, user.full_name, user.check_password("correct horse battery staple")) == (
        existing.pk,
        "Samantha Lee",
        True,
    )
    assert roles_of(user, centre) == {"assessor"}
    assert User.objects.count() == 2


def test_existing_person_is_told_of_the_new_role_and_to_sign_in_as_usual(centre, admin):
    UserFactory(email="sam.lee@example.org", full_name="Samantha Lee")
    register(centre, admin, roles=[Role.ASSESSOR])
    message = mail.outbox[0]
    assert message.subject == "New roles for you at Riverside Care Academy"
    assert (
        "Dana Admin has given you a new role in the evidence portfolio of Riverside Care Academy: assessor."
        in (message.body)
    )
    assert f"existing password:\n\n{BASE_URL}/accounts/login/" in message.body
    assert "/accounts/reset/" not in message.body


def test_roles_already_held_change_nothing_and_send_nothing(centre, admin):
    user = register(centre, admin, roles=[Role.LEARNER])
    mail.outbox.clear()
    again = register(centre, admin, roles=[Role.LEARNER])
    assert again == user
    assert Membership.objects.filter(user=user).count() == 1
    assert mail.outbox == []


def test_only_the_roles_not_yet_held_are_added_and_mentioned(centre, admin):
    register(centre, admin, roles=[Role.LEARNER])
    mail.outbox.clear()
    user = register(centre, admin, roles=[Role.LEARNER, Role.ASSESSOR])
    assert roles_of(user, centre) == {"learner", "assessor"}
    assert "Riverside Care Academy: assessor." in mail.outbox[0].body


def test_invalid_email_is_refused_and_nothing_is_saved(centre, admin):
    with pytest.raises(CentreError, match="“sam.lee@” is not an e-mail address; check it and try again."):
        register(centre, admin, email="sam.lee@")
    assert (User.objects.count(), len(mail.outbox)) == (1, 0)


def test_a_new_person_needs_a_name(centre, admin):
    with pytest.raises(CentreError, match="Enter the person's full name"):
        register(centre, admin, full_name="   ")


def test_at_least_one_role_is_needed(centre, admin):
    with pytest.raises(CentreError, match="Choose at least one role."):
        register(centre, admin, roles=[])


def test_an_unknown_role_is_refused(centre, admin):
    with pytest.raises(CentreError, match="There is no role superuser"):
        register(centre, admin, roles=["superuser"])


def test_only_an_administrator_of_the_centre_can_register_people(centre):
    other_admin = member(CentreFactory(), Role.ADMIN)
    with pytest.raises(CentreError, match="Only an administrator of Riverside Care Academy"):
        register(centre, other_admin)
    assert not User.objects.filter(email="sam.lee@example.org").exists()


def test_a_failed_email_leaves_nobody_registered(centre, admin):
    with (
        mock.patch(
            "centres.services.invitations.send_text_mail", side_effect=smtplib.SMTPServerDisconnected("gone")
        ),
        pytest.raises(CentreError, match=r"could not be sent \(gone\); nothing was saved"),
    ):
        register(centre, admin)
    assert not User.objects.filter(email="sam.lee@example.org").exists()


def test_links_need_a_request_or_a_base_url(centre, admin):
    with pytest.raises(ValueError, match="Links in e-mail need the request or a base URL"):
        register(centre, admin, base_url=None)


def test_resent_invitation_carries_a_new_link(centre, admin):
    user = register(centre, admin)
    people.resend_invitation(centre=centre, user=user, sent_by=admin, base_url=BASE_URL)
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "You are invited to the evidence portfolio of Riverside Care Academy"
    assert f"{BASE_URL}/accounts/reset/" in mail.outbox[1].body


def test_invitation_is_not_resent_to_someone_who_has_a_password(centre, admin):
    learner = member(centre, Role.LEARNER, full_name="Lee Learner")
    with pytest.raises(CentreError, match="Lee Learner has already chosen a password"):
        people.resend_invitation(centre=centre, user=learner, sent_by=admin, base_url=BASE_URL)
    assert mail.outbox == []


def test_roles_are_replaced_by_the_ones_chosen(centre, admin):
    person = member(centre, Role.LEARNER)
    result = people.set_roles(
        centre=centre, user=person, roles=[Role.ASSESSOR, Role.INTERNAL_VERIFIER], changed_by=admin
    )
    assert result == roles_of(person, centre) == {"assessor", "iv"}


def test_last_administrator_cannot_give_up_the_role(centre, admin):
    with pytest.raises(CentreError, match="You are the only administrator of Riverside Care Academy"):
        people.set_roles(centre=centre, user=admin, roles=[Role.ASSESSOR], changed_by=admin)
    assert roles_of(admin, centre) == {"admin"}


def test_an_administrator_can_give_up_the_role_when_another_remains(centre, admin):
    member(centre, Role.ADMIN)
    people.set_roles(centre=centre, user=admin, roles=[Role.EQA], changed_by=admin)
    assert roles_of(admin, centre) == {"eqa"}


def test_a_learner_keeps_the_learner_role_while_enrolled(centre, admin):
    enrolment = EnrolmentFactory(centre=centre)
    with pytest.raises(CentreError, match="is the learner of 1 enrolment here and keeps the learner role"):
        people.set_roles(centre=centre, user=enrolment.learner, roles=[Role.ASSESSOR], changed_by=admin)


def test_an_assessor_keeps_the_role_while_an_active_enrolment_names_them(centre, admin):
    enrolment = EnrolmentFactory(centre=centre)
    with pytest.raises(CentreError, match="is the assessor of 1 active or on-hold enrolment: assign another"):
        people.set_roles(centre=centre, user=enrolment.assessor, roles=[Role.LEARNER], changed_by=admin)


def test_an_assessor_of_only_completed_enrolments_can_lose_the_role(centre, admin):
    enrolment = EnrolmentFactory(centre=centre, status="completed")
    people.set_roles(centre=centre, user=enrolment.assessor, roles=[Role.LEARNER], changed_by=admin)
    assert roles_of(enrolment.assessor, centre) == {"learner"}


def test_an_iv_keeps_the_role_while_an_active_enrolment_names_them(centre, admin):
    enrolment = EnrolmentFactory(centre=centre)
    with pytest.raises(CentreError, match="is the internal verifier of 1 active or on-hold enrolment"):
        people.set_roles(
            centre=centre, user=enrolment.internal_verifier, roles=[Role.ASSESSOR], changed_by=admin
        )


def test_roles_of_someone_outside_the_centre_cannot_be_set(centre, admin):
    outsider = UserFactory(full_name="Olive Outsider")
    with pytest.raises(CentreError, match="Olive Outsider has no role at Riverside Care Academy"):
        people.set_roles(centre=centre, user=outsider, roles=[Role.LEARNER], changed_by=admin)


def test_only_an_administrator_can_change_roles(centre):
    eqa = member(centre, Role.EQA)
    learner = member(centre, Role.LEARNER)
    with pytest.raises(CentreError, match="Only an administrator"):
        people.set_roles(centre=centre, user=learner, roles=[Role.ADMIN], changed_by=eqa)
    assert roles_of(learner, centre) == {"learner"}
