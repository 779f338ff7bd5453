"""`manage.py create_signing_key`: a centre's key pair made, kept, rotated; and production refusing development
keys at start-up."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from signing.keys import keyset
from tests.config.test_settings import PRODUCTION, manage
from tests.factories.centres import CentreFactory


@pytest.fixture
def key_dir(tmp_path, settings):
    settings.SIGNING_KEY_DIR = tmp_path
    settings.SIGNING_KEYSET = tmp_path / "keys.json"
    settings.SIGNING_DEVELOPMENT_KEYS = False
    return tmp_path


def run(*args: str) -> str:
    out = StringIO()
    call_command("create_signing_key", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_centres_key_is_made_with_its_private_half_in_the_key_directory(key_dir):
    centre = CentreFactory()
    output = run("--centre", str(centre.pk))
    key = keyset().current(centre.pk)
    assert output == f"centre {centre.pk}: Ed25519 key {key.key_id} made\n"
    assert (key_dir / f"{key.key_id}.pem").exists()
    assert key.development is False


@pytest.mark.django_db
def test_a_second_run_keeps_the_current_key(key_dir):
    centre = CentreFactory()
    run("--centre", str(centre.pk))
    key = keyset().current(centre.pk)
    assert run("--centre", str(centre.pk)) == (
        f"centre {centre.pk} keeps Ed25519 key {key.key_id} (--rotate makes a new one)\n"
    )


@pytest.mark.django_db
def test_rotate_retires_the_current_key_and_keeps_it_published(key_dir):
    centre = CentreFactory()
    run("--centre", str(centre.pk))
    old = keyset().current(centre.pk)
    output = run("--centre", str(centre.pk), "--rotate")
    new = keyset().current(centre.pk)
    assert (
        output
        == f"centre {centre.pk}: Ed25519 key {new.key_id} made; {old.key_id} retired, kept for verifying\n"
    )
    assert keyset().get(old.key_id).valid_until == new.valid_from


@pytest.mark.django_db
def test_an_unknown_centre_is_one_line(key_dir):
    with pytest.raises(CommandError, match="^no centre with id 999999$"):
        run("--centre", "999999")


@pytest.mark.django_db
def test_all_makes_both_keys_for_the_site_and_every_centre(key_dir):
    centre = CentreFactory(name="Riverside Care Academy")
    run("--all")
    assert {(key.centre, key.algorithm) for key in keyset()} == {
        (None, "Ed25519"), (None, "ECDSA-P256"), (centre.pk, "Ed25519"), (centre.pk, "ECDSA-P256"),
    }  # fmt: skip
    certificate = keyset().current(centre.pk, "ECDSA-P256").certificate
    assert certificate.startswith("-----BEGIN CERTIFICATE-----")


def test_production_refuses_to_start_with_development_keys(tmp_path):
    keys = tmp_path / "keys"
    result = manage("create_signing_key", "--site", DEBUG="true", ENV_FILE="", SIGNING_KEY_DIR=str(keys))
    assert result.returncode == 0, result.stderr
    key_id = json.loads((keys / "keys.json").read_text())["keys"][0]["key_id"]
    result = manage("check", **PRODUCTION, ENV_FILE="", SIGNING_KEY_DIR=str(keys))
    assert result.returncode == 1
    assert result.stderr == (
        f"manage.py: configuration error: SIGNING_KEYSET ({keys / 'keys.json'}) holds development signing keys "
        f"({key_id}), made by bin/start for a checkout: with DEBUG off, point SIGNING_KEY_DIR at a directory of "
        "your own and run `python manage.py create_signing_key --all` (see README, Verification)\n"
    )


def test_production_starts_with_keys_of_its_own(tmp_path):
    keys = tmp_path / "keys"
    made = manage("create_signing_key", "--site", **PRODUCTION, ENV_FILE="", SIGNING_KEY_DIR=str(keys))
    assert made.returncode == 0, made.stderr
    result = manage("check", **PRODUCTION, ENV_FILE="", SIGNING_KEY_DIR=str(keys))
    assert result.returncode == 0, result.stderr
