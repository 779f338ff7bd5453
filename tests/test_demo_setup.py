"""Command 1's demo: the seed specifications and a sign-in, printed."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from units.models import Specification


@pytest.mark.django_db
def test_demo_setup_loads_both_seed_specifications_and_prints_the_admin_sign_in(settings):
    settings.DEBUG = True
    out = StringIO()

    call_command("demo_setup", stdout=out)

    assert sorted(Specification.objects.values_list("code", flat=True)) == ["L/652/0848", "SCDLMCB2"]
    assert "Demo sign-ins (password for all: portfolio-demo):" in out.getvalue()
    assert "centre administrator   admin@demo.example" in out.getvalue()
    assert User.objects.get(email="admin@demo.example").check_password("portfolio-demo")


@pytest.mark.django_db
def test_demo_setup_runs_again_without_duplicating_anything(settings):
    settings.DEBUG = True
    call_command("demo_setup", stdout=StringIO())
    out = StringIO()

    call_command("demo_setup", stdout=out)

    assert "Specification SCDLMCB2 v1 already loaded" in out.getvalue()
    assert (Specification.objects.count(), User.objects.count()) == (2, 1)


@pytest.mark.django_db
def test_demo_setup_refuses_to_create_known_passwords_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="demo accounts have a known password"):
        call_command("demo_setup", stdout=StringIO())
    assert not User.objects.exists()
