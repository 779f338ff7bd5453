"""People sign in with their e-mail; their full name is what signed records print."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts.models import User
from tests.factories import UserFactory


@pytest.mark.django_db
def test_email_domain_is_normalised_and_the_password_hashed():
    user = User.objects.create_user("Sam.Lee@Example.ORG", "s3cret-passphrase", full_name="Sam Lee")
    assert user.email == "Sam.Lee@example.org"
    assert user.check_password("s3cret-passphrase")
    assert user.password != "s3cret-passphrase"


@pytest.mark.django_db
def test_a_person_without_an_email_cannot_be_created():
    with pytest.raises(ValueError, match="An e-mail address is required"):
        User.objects.create_user("", "pw", full_name="Nobody")


@pytest.mark.django_db
def test_superuser_is_staff():
    admin = User.objects.create_superuser("admin@example.org", "pw-long-enough", full_name="Ada Admin")
    assert (admin.is_staff, admin.is_superuser) == (True, True)


def test_name_on_records_is_the_full_name():
    user = User(email="jo@example.org", full_name="Jo Bloggs-Smith")
    assert (str(user), user.get_full_name(), user.get_short_name()) == (
        "Jo Bloggs-Smith",
        "Jo Bloggs-Smith",
        "Jo",
    )


def test_a_password_like_the_persons_full_name_is_refused(db):
    person = UserFactory(full_name="Priya Ramaswamy", email="p.r@example.org")
    with pytest.raises(ValidationError, match="The password is too similar to the full name"):
        validate_password("ramaswamy1", person)
