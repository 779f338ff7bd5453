"""Passkeys (django-otp-webauthn) as a second factor: one counts like an authenticator app for the roles that need
one, the second step offers it, adding one needs the second step passed first, removing one is audited and never
leaves staff without a second factor. The ceremonies themselves, with a real (virtual) authenticator, are in
tests/browser/test_passkeys_in_browser.py."""

import base64
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp_webauthn.models import WebAuthnCredential

from audit.models import AuditEntry
from signin.passkeys import CODES_TO_SHOW, NOT_PASSED
from tests.factories import DEFAULT_PASSWORD, EnrolmentFactory
from tests.factories.accounts import PasskeyFactory, authenticator_for, code_now, recovery_code_for

pytestmark = [pytest.mark.django_db, pytest.mark.password_only]
SECOND_STEP = reverse("signin:second_factor")
BEGIN_REGISTRATION = reverse("signin:passkey_registration_begin")
BEGIN_AUTHENTICATION = reverse("signin:passkey_authentication_begin")


@pytest.fixture
def enrolment():
    return EnrolmentFactory()


def signed_in_with_password(client, person):
    response = client.post(reverse("login"), {"username": person.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return client


def past_the_second_step(client, person):
    device = authenticator_for(person)
    signed_in_with_password(client, person)
    assert client.post(SECOND_STEP, {"code": code_now(device)}).status_code == 302
    return client


def test_an_assessor_whose_only_second_factor_is_a_passkey_is_asked_for_it_not_sent_to_set_up(
    client, enrolment
):
    PasskeyFactory(user=enrolment.assessor)
    signed_in_with_password(client, enrolment.assessor)

    assert client.get(reverse("assessments:home"))["Location"].startswith(SECOND_STEP)
    page = client.get(SECOND_STEP)

    assert page.status_code == 200
    assert 'id="passkey-verification-button">Use a passkey</button>' in page.content.decode()


def test_the_second_step_of_someone_without_a_passkey_offers_none(client, enrolment):
    authenticator_for(enrolment.assessor)
    signed_in_with_password(client, enrolment.assessor)

    page = client.get(SECOND_STEP).content.decode()

    assert "Use a passkey" not in page
    assert "otp_webauthn_auth.js" not in page


def test_a_learner_who_added_a_passkey_is_asked_for_it(client, enrolment):
    PasskeyFactory(user=enrolment.learner)
    signed_in_with_password(client, enrolment.learner)
    assert client.get(reverse("assessments:home"))["Location"].startswith(SECOND_STEP)


def test_the_passkey_check_begins_for_a_person_between_password_and_second_step(client, enrolment):
    passkey = PasskeyFactory(user=enrolment.assessor)
    signed_in_with_password(client, enrolment.assessor)

    response = client.post(BEGIN_AUTHENTICATION)

    assert response.status_code == 200
    options = response.json()
    assert options["rpId"] == "localhost"
    assert [credential["id"] for credential in options["allowCredentials"]] == [
        base64.urlsafe_b64encode(passkey.credential_id).decode().rstrip("=")
    ]


def test_no_one_signs_in_with_a_passkey_alone(client, enrolment):
    PasskeyFactory(user=enrolment.assessor)

    response = client.post(BEGIN_AUTHENTICATION)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_password_alone_cannot_add_a_passkey_beside_an_authenticator(client, enrolment):
    authenticator_for(enrolment.assessor)
    signed_in_with_password(client, enrolment.assessor)

    response = client.post(BEGIN_REGISTRATION)

    assert response.status_code == 403
    assert response.json() == {"detail": NOT_PASSED, "code": "user_not_verified"}


def test_a_password_alone_cannot_add_a_passkey_beside_another_passkey(client, enrolment):
    PasskeyFactory(user=enrolment.assessor)
    signed_in_with_password(client, enrolment.assessor)
    assert client.post(BEGIN_REGISTRATION).status_code == 403


def test_after_the_second_step_adding_a_passkey_begins_for_this_site(client, enrolment):
    past_the_second_step(client, enrolment.assessor)

    response = client.post(BEGIN_REGISTRATION)

    assert response.status_code == 200
    options = response.json()
    assert (options["rp"]["id"], options["rp"]["name"]) == ("localhost", "Evidence portfolio")
    assert options["user"]["name"] == enrolment.assessor.email


def test_a_learner_without_a_second_factor_may_add_a_first_passkey(client, enrolment):
    signed_in_with_password(client, enrolment.learner)
    assert client.post(BEGIN_REGISTRATION).status_code == 200


def test_finishing_a_passkey_that_was_never_begun_stores_nothing(client, enrolment):
    past_the_second_step(client, enrolment.assessor)

    response = client.post(
        reverse("signin:passkey_registration_complete"),
        json.dumps({"id": "x"}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_state"
    assert not WebAuthnCredential.objects.exists()
    assert not AuditEntry.objects.filter(action="signin.passkey_added").exists()


def test_the_account_page_lists_the_persons_passkeys_only(client, enrolment):
    mine = PasskeyFactory(user=enrolment.assessor, name="Passkey added 3 October 2026")
    PasskeyFactory(user=enrolment.learner, name="Passkey added 4 October 2026")
    past_the_second_step(client, enrolment.assessor)

    page = client.get(reverse("signin:account")).content.decode()

    assert f"{mine.name}, not used yet" in page
    assert "4 October 2026" not in page
    assert 'id="passkey-register-button"' in page


def test_removing_a_passkey_is_audited(client, enrolment):
    passkey = PasskeyFactory(user=enrolment.assessor)
    past_the_second_step(client, enrolment.assessor)

    response = client.post(reverse("signin:remove_passkey", args=[passkey.pk]), follow=True)

    assert f"{passkey.name} is removed: it no longer signs you in." in response.content.decode()
    assert not WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    entry = AuditEntry.objects.get(action="signin.passkey_removed")
    assert (entry.actor_id, entry.subject_id) == (enrolment.assessor.pk, str(enrolment.assessor.pk))
    assert entry.summary == f"{enrolment.assessor.full_name} removed a passkey ({passkey.name})"


def test_staff_cannot_remove_their_only_second_factor(client, enrolment):
    passkey = PasskeyFactory(user=enrolment.assessor)
    code = recovery_code_for(enrolment.assessor)
    signed_in_with_password(client, enrolment.assessor)
    assert client.post(SECOND_STEP, {"code": code}).status_code == 302

    page = client.post(reverse("signin:remove_passkey", args=[passkey.pk]), follow=True).content.decode()

    assert (
        "Your role needs a second step of signing in: set up an authenticator app or add another passkey"
        in page
    )
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert not AuditEntry.objects.filter(action="signin.passkey_removed").exists()


def test_a_learner_removing_their_only_passkey_loses_the_recovery_codes_with_it(client, enrolment):
    passkey = PasskeyFactory(user=enrolment.learner)
    code = recovery_code_for(enrolment.learner)
    signed_in_with_password(client, enrolment.learner)
    assert client.post(SECOND_STEP, {"code": code}).status_code == 302
    recovery_code_for(enrolment.learner)

    client.post(reverse("signin:remove_passkey", args=[passkey.pk]))

    assert not enrolment.learner.staticdevice_set.exists()
    assert AuditEntry.objects.get(action="signin.passkey_removed").before["recovery_codes_removed"] is True
    assert client.get(reverse("assessments:home")).status_code == 200


def test_no_one_removes_another_persons_passkey(client, enrolment):
    theirs = PasskeyFactory(user=enrolment.learner)
    past_the_second_step(client, enrolment.assessor)

    page = client.post(reverse("signin:remove_passkey", args=[theirs.pk]), follow=True).content.decode()

    assert "That passkey is not one of yours, or it was removed already." in page
    assert WebAuthnCredential.objects.filter(pk=theirs.pk).exists()


def test_recovery_codes_made_with_a_first_passkey_are_shown_once(client, enrolment):
    signed_in_with_password(client, enrolment.learner)
    session = client.session
    session[CODES_TO_SHOW] = ["abcd1234", "efgh5678"]
    session.save()

    first = client.get(reverse("signin:recovery_codes"))
    again = client.get(reverse("signin:recovery_codes"))

    assert "Your passkey is added." in first.content.decode()
    assert "efgh5678" in first.content.decode()
    assert again["Location"] == reverse("signin:account")


def test_the_operator_removes_lost_passkeys_too(enrolment):
    PasskeyFactory(user=enrolment.assessor)
    authenticator_for(enrolment.assessor)
    recovery_code_for(enrolment.assessor)
    out = StringIO()

    call_command("reset_second_factor", enrolment.assessor.email, "--reason", "all lost", stdout=out)

    assert not WebAuthnCredential.objects.filter(user=enrolment.assessor).exists()
    assert f"Removed 3 second-factor record(s) of {enrolment.assessor.full_name}" in out.getvalue()


def _assertion_for(passkey: WebAuthnCredential) -> str:
    """What a browser sends after the passkey check, naming `passkey`, with a signature that is not its key's."""
    credential_id = base64.urlsafe_b64encode(passkey.credential_id).decode().rstrip("=")
    client_data = base64.urlsafe_b64encode(b'{"type":"webauthn.get"}').decode().rstrip("=")
    return json.dumps(
        {
            "id": credential_id,
            "rawId": credential_id,
            "type": "public-key",
            "response": {"authenticatorData": "AAAA", "clientDataJSON": client_data, "signature": "AAAA"},
        }
    )


@pytest.mark.parametrize(
    ("whose", "refused"),
    [
        ("another person's passkey", (403, "credential_user_mismatch")),
        ("own passkey, forged signature", (422, "invalid_authentication_response")),
    ],
)
def test_a_passkey_check_that_fails_leaves_the_second_step_unpassed(client, enrolment, whose, refused):
    mine = PasskeyFactory(user=enrolment.assessor)
    named = PasskeyFactory(user=enrolment.learner) if whose == "another person's passkey" else mine
    signed_in_with_password(client, enrolment.assessor)
    assert client.post(BEGIN_AUTHENTICATION).status_code == 200

    response = client.post(
        reverse("signin:passkey_authentication_complete"),
        _assertion_for(named),
        content_type="application/json",
    )

    assert (response.status_code, response.json()["code"]) == refused
    assert client.get(reverse("assessments:home"))["Location"].startswith(SECOND_STEP)


@pytest.mark.parametrize("view", [BEGIN_REGISTRATION, BEGIN_AUTHENTICATION])
def test_the_passkey_views_refuse_a_request_without_the_sites_csrf_token(enrolment, view):
    client = Client(enforce_csrf_checks=True)
    client.force_login(enrolment.learner)  # no second factor: both would begin with the token

    response = client.post(view)

    assert response.status_code == 403
    assert "CSRF verification failed" in response.content.decode()
