"""The second factor (django-otp): required after the password for assessors, IVs, centre administrators, EQAs
and the site's operators; optional for learners; an authenticator app set up with its first code, recovery codes
that each work once, and no way round it with the password alone."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from centres.models import Membership
from tests.factories import DEFAULT_PASSWORD, EnrolmentFactory, UserFactory, eqa_with_grant, member
from tests.factories.accounts import authenticator_for, code_now, recovery_code_for

Role = Membership.Role
pytestmark = [pytest.mark.django_db, pytest.mark.password_only]
SECOND_STEP = reverse("signin:second_factor")


@pytest.fixture
def enrolment():
    return EnrolmentFactory()


def staff(enrolment) -> dict:
    centre = enrolment.centre
    return {
        "assessor": enrolment.assessor,
        "internal verifier": enrolment.internal_verifier,
        "centre admin": member(centre, Role.ADMIN),
        "eqa": eqa_with_grant(centre, granted_by=member(centre, Role.ADMIN)),
        "site operator": UserFactory(is_staff=True),
    }


def signed_in_with_password(client, person):
    response = client.post(reverse("login"), {"username": person.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("role", ["assessor", "internal verifier", "centre admin", "eqa", "site operator"])
def test_staff_who_gave_only_their_password_reach_no_page_but_the_second_step(client, enrolment, role):
    person = staff(enrolment)[role]
    authenticator_for(person)
    signed_in_with_password(client, person)

    response = client.get(reverse("assessments:home"))

    assert response.status_code == 302
    assert response["Location"] == f"{SECOND_STEP}?next=%2F"


def test_a_learner_without_a_second_factor_goes_straight_in(client, enrolment):
    signed_in_with_password(client, enrolment.learner)
    assert client.get(reverse("assessments:home")).status_code == 200


def test_a_learner_who_chose_a_second_factor_is_asked_for_it(client, enrolment):
    authenticator_for(enrolment.learner)
    signed_in_with_password(client, enrolment.learner)
    assert client.get(reverse("assessments:home"))["Location"].startswith(SECOND_STEP)


def test_an_htmx_request_is_sent_to_the_second_step_as_a_whole_page(client, enrolment):
    authenticator_for(enrolment.assessor)
    signed_in_with_password(client, enrolment.assessor)

    response = client.get(reverse("assessments:caseload"), HTTP_HX_REQUEST="true")

    assert (response.status_code, response["HX-Redirect"]) == (204, f"{SECOND_STEP}?next=%2Fcaseload%2F")


def test_the_code_from_the_app_lets_the_person_in_where_they_were_going(client, enrolment):
    device = authenticator_for(enrolment.assessor)
    signed_in_with_password(client, enrolment.assessor)

    response = client.post(SECOND_STEP, {"code": code_now(device), "next": "/caseload/"})

    assert response["Location"] == "/caseload/"
    assert client.get("/caseload/").status_code == 200


def test_a_wrong_code_is_refused_with_what_to_do(client, enrolment):
    device = authenticator_for(enrolment.assessor)
    signed_in_with_password(client, enrolment.assessor)

    response = client.post(SECOND_STEP, {"code": str((int(code_now(device)) + 1) % 10**6).zfill(6)})

    assert response.status_code == 400
    assert "That code is not right, or was used already." in response.content.decode()
    assert client.get(reverse("assessments:home")).status_code == 302


def test_a_recovery_code_works_once(client, enrolment):
    authenticator_for(enrolment.assessor)
    code = recovery_code_for(enrolment.assessor)
    signed_in_with_password(client, enrolment.assessor)
    assert client.post(SECOND_STEP, {"code": code}).status_code == 302
    client.logout()

    signed_in_with_password(client, enrolment.assessor)
    assert client.post(SECOND_STEP, {"code": code}).status_code == 400


def test_a_next_address_on_another_site_is_ignored(client, enrolment):
    device = authenticator_for(enrolment.assessor)
    signed_in_with_password(client, enrolment.assessor)
    response = client.post(SECOND_STEP, {"code": code_now(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("assessments:home")


def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, enrolment):
    signed_in_with_password(client, enrolment.assessor)
    response = client.get(SECOND_STEP)
    assert response["Location"].startswith(reverse("signin:set_up"))


def test_setting_up_an_authenticator_shows_the_recovery_codes_once_and_is_audited(client, enrolment):
    signed_in_with_password(client, enrolment.assessor)
    page = client.get(reverse("signin:set_up")).content.decode()
    assert "Set up an authenticator app" in page
    device = TOTPDevice.objects.get(user=enrolment.assessor, confirmed=False)

    response = client.post(reverse("signin:set_up"), {"code": code_now(device)})

    shown = response.content.decode()
    codes = list(StaticToken.objects.filter(device__user=enrolment.assessor).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in shown for code in codes)
    assert TOTPDevice.objects.get(pk=device.pk).confirmed is True
    assert (
        AuditEntry.objects.filter(
            action="signin.second_factor_set_up", subject_id=str(enrolment.assessor.pk)
        ).count()
        == 1
    )
    assert client.get(reverse("assessments:caseload")).status_code == 200


def test_a_wrong_first_code_leaves_the_authenticator_unconfirmed(client, enrolment):
    signed_in_with_password(client, enrolment.assessor)
    client.get(reverse("signin:set_up"))

    response = client.post(reverse("signin:set_up"), {"code": "000000x"})

    assert response.status_code == 400
    assert "That code is not right." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=enrolment.assessor, confirmed=True).exists()


def test_the_password_alone_cannot_replace_an_authenticator(client, enrolment):
    authenticator_for(enrolment.assessor)
    signed_in_with_password(client, enrolment.assessor)

    response = client.get(reverse("signin:set_up"))

    assert response["Location"].startswith(SECOND_STEP)
    assert TOTPDevice.objects.filter(user=enrolment.assessor).count() == 1


def test_new_recovery_codes_replace_the_old_ones(client, enrolment):
    device = authenticator_for(enrolment.assessor)
    old = recovery_code_for(enrolment.assessor)
    signed_in_with_password(client, enrolment.assessor)
    client.post(SECOND_STEP, {"code": code_now(device)})

    response = client.post(reverse("signin:recovery_codes"))

    assert response.status_code == 200
    assert not StaticToken.objects.filter(token=old).exists()
    assert AuditEntry.objects.filter(action="signin.recovery_codes_made").count() == 1


def test_the_sign_out_stays_open_before_the_second_step(client, enrolment):
    authenticator_for(enrolment.assessor)
    signed_in_with_password(client, enrolment.assessor)
    assert client.post(reverse("logout"))["Location"] == reverse("login")


def test_the_operator_removes_a_lost_second_factor_with_a_reason_audited(enrolment):
    authenticator_for(enrolment.assessor)
    recovery_code_for(enrolment.assessor)
    out = StringIO()

    call_command(
        "reset_second_factor",
        enrolment.assessor.email,
        "--reason",
        "phone lost; identity checked",
        stdout=out,
    )

    assert not TOTPDevice.objects.filter(user=enrolment.assessor).exists()
    entry = AuditEntry.objects.get(action="signin.second_factor_removed")
    assert (
        entry.summary
        == f"Second factor of {enrolment.assessor.full_name} removed: phone lost; identity checked"
    )
