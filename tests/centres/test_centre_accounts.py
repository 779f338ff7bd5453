"""Signing in, out and choosing a password: through an invitation link or a password reset."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import User
from centres.models import Membership
from tests.factories import DEFAULT_PASSWORD, CentreFactory, UserFactory, member

Role = Membership.Role
NEW_PASSWORD = "a-long-new-passphrase-42"
LINK = re.compile(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)")


def link_in(message) -> str:
    return LINK.search(message.body).group(1)


def choose_password(client, link: str, password: str = NEW_PASSWORD):
    """Follow an e-mailed link (which redirects to a token-free URL) and set the password there."""
    landing = client.get(link)
    assert landing.status_code == 302
    return client.post(landing["Location"], {"new_password1": password, "new_password2": password})


def sign_in(client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.fixture
def invited(client, db):
    """Someone an administrator has just registered through the page; the administrator then signs out."""
    centre = CentreFactory()
    client.force_login(member(centre, Role.ADMIN))
    client.post(
        reverse("centres:register_person", args=[centre.pk]),
        {"email": "nia@example.org", "full_name": "Nia Newcomer", "roles": ["learner"]},
    )
    client.logout()
    return User.objects.get(email="nia@example.org")


def test_invitation_link_lets_the_person_choose_a_password_and_sign_in(client, invited):
    response = choose_password(client, link_in(mail.outbox[0]))
    assert response["Location"] == reverse("password_reset_complete")
    response = sign_in(client, "nia@example.org", NEW_PASSWORD)
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert signed_in_user_id(client) == str(invited.pk)


def test_invitation_link_shows_whose_password_is_being_chosen(client, invited):
    landing = client.get(link_in(mail.outbox[0]))
    page = client.get(landing["Location"]).content.decode()
    assert "<h1>Choose your password</h1>" in page
    assert "Signing in as <strong>nia@example.org</strong>." in page


def test_invitation_link_works_only_once(client, invited):
    link = link_in(mail.outbox[0])
    choose_password(client, link)
    page = client.get(link).content.decode()
    assert "<h1>This link no longer works</h1>" in page


def test_an_invited_person_cannot_sign_in_before_choosing_a_password(client, invited):
    response = sign_in(client, "nia@example.org", "")
    assert (response.status_code, signed_in_user_id(client)) == (200, None)


def test_a_weak_password_is_refused_with_the_reason(client, invited):
    response = choose_password(client, link_in(mail.outbox[0]), password="password")
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    invited.refresh_from_db()
    assert not invited.has_usable_password()


def test_sign_in_page_links_to_password_reset(client, db):
    page = client.get(reverse("login")).content.decode()
    assert f'<a href="{reverse("password_reset")}">Forgotten your password?</a>' in page


def test_password_reset_from_request_to_signing_in_with_the_new_password(client, db):
    user = UserFactory(email="pat@example.org", full_name="Pat Person")
    response = client.post(reverse("password_reset"), {"email": "pat@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Choose a new password for the evidence portfolio"
    assert "Hello Pat Person," in mail.outbox[0].body
    choose_password(client, link_in(mail.outbox[0]))
    assert (
        sign_in(client, "pat@example.org", DEFAULT_PASSWORD).status_code == 200
    )  # the old one no longer works
    sign_in(client, "pat@example.org", NEW_PASSWORD)
    assert signed_in_user_id(client) == str(user.pk)


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert "<h1>Check your e-mail</h1>" in response.content.decode()
    assert mail.outbox == []


def test_password_reset_form_shows_an_invalid_address(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@"})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<p id="id_email_error">Enter a valid email address.</p>' in page
    assert 'aria-invalid="true" aria-describedby="id_email_error"' in page


def test_sign_out_is_a_post_and_ends_the_session(client, db):
    client.force_login(UserFactory())
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert signed_in_user_id(client) is None
    assert client.get(reverse("centres:index"))["Location"].startswith(reverse("login"))


def test_sign_out_by_get_is_refused(client, db):
    client.force_login(UserFactory())
    assert client.get(reverse("logout")).status_code == 405
