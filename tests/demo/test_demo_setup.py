"""Command 1's demo: the seed specifications, a demo centre with a learner's portfolio, and printed sign-ins."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from centres.models import Enrolment, Membership
from portfolio.models import Evidence, EvidenceFile
from units.models import Specification

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("demo_setup", stdout=out)
    return out.getvalue()


def test_demo_setup_loads_both_seed_specifications(demo):
    assert sorted(Specification.objects.values_list("code", flat=True)) == ["L/652/0848", "SCDLMCB2"]


def test_demo_setup_prints_a_sign_in_for_every_role(demo):
    assert "Demo centre sign-ins (password for all: portfolio-demo):" in demo
    for line in (
        "learner                   learner@demo.example     Lee Learner",
        "assessor                  assessor@demo.example    Ava Assessor",
        "internal verifier         iv@demo.example          Ivan Verifier",
        "centre administrator      admin@demo.example       Dana Admin",
        "external QA (read-only)   eqa@demo.example         Erin Quality",
    ):
        assert line in demo
    assert User.objects.get(email="iv@demo.example").check_password("portfolio-demo")


def test_demo_learner_is_enrolled_on_both_seed_specifications_with_an_assessor_and_iv(demo):
    enrolment = Enrolment.objects.get(learner__email="learner@demo.example")
    assert sorted(enrolment.specifications.values_list("code", flat=True)) == ["L/652/0848", "SCDLMCB2"]
    assert (enrolment.assessor.email, enrolment.internal_verifier.email) == (
        "assessor@demo.example",
        "iv@demo.example",
    )
    roles = set(Membership.objects.filter(centre=enrolment.centre).values_list("user__email", "role"))
    assert ("eqa@demo.example", "eqa") in roles
    assert ("admin@demo.example", "admin") in roles


def test_demo_learner_has_evidence_with_files_and_mappings(demo):
    evidence = Evidence.objects.filter(learner__email="learner@demo.example").order_by("number")
    assert [(e.reference, e.status, e.method.code) for e in evidence] == [
        ("E1", "submitted", "RA"),
        ("E2", "draft", "WT"),
        ("E3", "draft", "PD"),
    ]
    assert sorted(m.label for m in evidence[0].mappings.all()) == ["1.1 a)", "K14", "P6"]
    assert list(EvidenceFile.objects.order_by("evidence__number").values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/png",
    ]


def test_demo_setup_runs_again_without_duplicating_anything(demo):
    out = StringIO()
    call_command("demo_setup", stdout=out)
    assert "Specification SCDLMCB2 v1 already loaded" in out.getvalue()
    assert (Specification.objects.count(), User.objects.count(), Evidence.objects.count()) == (2, 5, 3)


def test_demo_setup_refuses_to_create_known_passwords_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="demo accounts have a known password"):
        call_command("demo_setup", stdout=StringIO())
    assert not User.objects.exists()


def test_the_demo_centre_administrator_is_neither_superuser_nor_staff(demo):
    admin = User.objects.get(email="admin@demo.example")
    assert (admin.is_superuser, admin.is_staff) == (False, False)


def test_an_older_demos_superuser_administrator_is_put_right(settings, demo):
    User.objects.filter(email="admin@demo.example").update(is_superuser=True, is_staff=True)
    call_command("demo_setup", stdout=StringIO())
    admin = User.objects.get(email="admin@demo.example")
    assert (admin.is_superuser, admin.is_staff) == (False, False)


def test_the_demo_staff_have_an_authenticator_and_the_learner_none(demo):
    with_device = set(TOTPDevice.objects.filter(confirmed=True).values_list("user__email", flat=True))
    assert with_device == {
        "assessor@demo.example",
        "iv@demo.example",
        "admin@demo.example",
        "eqa@demo.example",
    }
    assert "manage.py demo_code assessor@demo.example" in demo


def test_demo_code_prints_the_code_the_authenticator_shows_now(demo):
    out = StringIO()
    call_command("demo_code", "assessor@demo.example", stdout=out)
    device = TOTPDevice.objects.get(user__email="assessor@demo.example")
    assert device.verify_token(out.getvalue().strip()) is True


def test_demo_code_refuses_an_account_that_is_not_a_demo_one(demo):
    with pytest.raises(CommandError, match="someone@example.org is not a demo account"):
        call_command("demo_code", "someone@example.org")
