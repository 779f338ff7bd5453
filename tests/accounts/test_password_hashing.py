"""Passwords are hashed with Argon2 (argon2-cffi); a password hashed before still signs in and is re-hashed."""

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.urls import reverse

import config.settings as project_settings
from tests.factories import DEFAULT_PASSWORD, UserFactory


@pytest.fixture
def hashers(settings):
    """The project's hashers (tests otherwise hash with MD5, for speed: tests/conftest.py)."""
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    return settings


def test_a_new_password_is_hashed_with_argon2(hashers, db):
    user = UserFactory()

    assert identify_hasher(user.password).algorithm == "argon2"


def test_a_password_hashed_before_signs_in_and_is_rehashed_with_argon2(hashers, client, db):
    user = UserFactory()
    user.password = make_password(DEFAULT_PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    response = client.post(reverse("login"), {"username": user.email, "password": DEFAULT_PASSWORD})

    user.refresh_from_db()
    assert response.status_code == 302
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password(DEFAULT_PASSWORD)
