"""Failed passwords throttled per account and per address (django-axes): signing in, the password reset form and
the password typed again to sign a record. The person is told why and for how long; the lockout is audited."""

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEntry
from tests.factories import DEFAULT_PASSWORD, EnrolmentFactory, UserFactory, create_specification
from tests.quality.test_iqa_samples import make_sample

pytestmark = pytest.mark.django_db
LIMIT = 3
LOCKED = "Too many wrong passwords for this account or from this address: try again in 15 minutes"


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


def sign_in(client, email: str, password: str, address: str = "203.0.113.7"):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address, follow=False
    )


def test_the_right_password_after_too_many_wrong_ones_is_refused_with_the_reason(client):
    person = UserFactory()
    answers = [sign_in(client, person.email, "wrong").status_code for _ in range(LIMIT)]
    assert answers == [200] * (LIMIT - 1) + [429]

    response = sign_in(client, person.email, DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lockout_is_written_to_the_audit_trail(client):
    person = UserFactory()
    for _ in range(LIMIT):
        sign_in(client, person.email, "wrong")

    entry = AuditEntry.objects.get(action="signin.locked_out")

    assert (entry.subject_type, entry.subject_id) == ("accounts.user", str(person.pk))
    assert entry.after["failures"] == LIMIT
    assert entry.after["address"] == "203.0.113.7"


def test_one_address_trying_many_accounts_is_locked_out(client):
    people = UserFactory.create_batch(LIMIT + 1)
    for person in people[:LIMIT]:
        sign_in(client, person.email, "wrong")

    assert sign_in(client, people[-1].email, DEFAULT_PASSWORD).status_code == 429


def test_the_same_account_from_another_address_is_locked_out_too(client):
    person = UserFactory()
    for n in range(LIMIT):
        sign_in(client, person.email, "wrong", address=f"198.51.100.{n}")

    assert sign_in(client, person.email, DEFAULT_PASSWORD, address="192.0.2.200").status_code == 429


def test_a_right_password_clears_earlier_failures(client):
    person = UserFactory()
    for _ in range(LIMIT - 1):
        sign_in(client, person.email, "wrong")
    assert sign_in(client, person.email, DEFAULT_PASSWORD).status_code == 302
    client.logout()

    assert sign_in(client, person.email, "wrong").status_code == 200


def test_the_password_reset_form_is_throttled_like_a_sign_in(client):
    person = UserFactory()
    for _ in range(LIMIT - 1):
        assert client.post(reverse("password_reset"), {"email": person.email}).status_code == 302

    response = client.post(reverse("password_reset"), {"email": person.email})

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert len(mail.outbox) == LIMIT - 1


def test_one_address_asking_to_reset_many_accounts_is_locked_out_and_audited(client):
    people = UserFactory.create_batch(LIMIT)
    for person in people[:-1]:
        assert client.post(reverse("password_reset"), {"email": person.email}).status_code == 302

    response = client.post(reverse("password_reset"), {"email": people[-1].email})

    assert response.status_code == 429
    entry = AuditEntry.objects.get(action="signin.locked_out")
    assert (entry.after["address"], entry.after["path"]) == ("127.0.0.1", reverse("password_reset"))


def test_the_password_typed_to_sign_a_unit_off_is_throttled(client):
    specification = create_specification()
    enrolment = EnrolmentFactory(specifications=[specification])
    client.force_login(enrolment.learner)
    url = reverse("assessments:sign", args=[enrolment.pk, specification.pk])
    for _ in range(LIMIT - 1):
        page = client.post(url, {"password": "wrong"}, follow=True).content.decode()
        assert "That password is not right: your signature was not recorded." in page

    page = client.post(url, {"password": "wrong"}, follow=True).content.decode()
    assert LOCKED in page
    page = client.post(url, {"password": DEFAULT_PASSWORD}, follow=True).content.decode()
    assert LOCKED in page
    assert AuditEntry.objects.filter(action="signin.locked_out").count() == 1


@pytest.mark.parametrize("signature", ["quality:sample_admin_check", "quality:sample_completion"])
def test_the_password_typed_to_sign_an_admin_check_or_completion_is_throttled(client, signature):
    specification = create_specification()
    enrolment = EnrolmentFactory(specifications=[specification])
    sample = make_sample(enrolment, specification)
    client.force_login(enrolment.internal_verifier)
    url = reverse(signature, args=[sample.pk])
    for _ in range(LIMIT):
        client.post(url, {"password": "wrong", "checked_on": "2026-11-01"})

    page = client.post(url, {"password": DEFAULT_PASSWORD, "checked_on": "2026-11-01"}, follow=True)

    assert LOCKED in page.content.decode()
