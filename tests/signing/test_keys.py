"""The signing API: canonical bytes, signatures by a centre's key, and verification with the published key set
alone (what an awarding body holds years later)."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from signing.keys import (
    ECDSA_P256,
    ED25519,
    KeySet,
    SignatureInvalid,
    SigningError,
    canonical,
    keyset,
    pdf_credentials,
    sign,
)
from signing.store import create_key


def test_canonical_json_sorts_keys_drops_spaces_and_writes_times_in_utc():
    moment = datetime(2026, 12, 1, 12, 30, tzinfo=UTC) + timedelta(hours=0)
    assert (
        canonical({"b": 1, "a": "é", "at": moment}) == '{"a":"é","at":"2026-12-01T12:30:00Z","b":1}'.encode()
    )


def test_canonical_refuses_a_time_without_a_zone():
    with pytest.raises(TypeError, match="naive datetime"):
        canonical({"at": datetime(2026, 12, 1, 12, 30)})


def test_a_signature_verifies_with_the_published_key_set_alone(tmp_path, settings):
    key_id, signature = sign(7, b"record")
    published = KeySet.from_json(json.loads(json.dumps(keyset().to_json())))
    published.verify(key_id, b"record", signature, at=datetime.now(UTC))
    assert published.get(key_id).centre == 7
    assert published.get(key_id).development is True


def test_a_changed_record_fails_verification_naming_the_key():
    key_id, signature = sign(7, b"record")
    with pytest.raises(SignatureInvalid, match=f"signature does not match key {key_id}"):
        keyset().verify(key_id, b"recorD", signature)


def test_another_centres_key_does_not_verify_a_centres_signature():
    _, signature = sign(7, b"record")
    other, _ = sign(8, b"record")
    with pytest.raises(SignatureInvalid, match="does not match"):
        keyset().verify(other, b"record", signature)


def test_an_unknown_key_id_is_named():
    with pytest.raises(SignatureInvalid, match="unknown key id 'centre-99-forged'"):
        keyset().verify("centre-99-forged", b"record", b"x" * 64)


def test_production_without_a_key_names_the_command_to_run(settings, tmp_path):
    settings.SIGNING_DEVELOPMENT_KEYS = False
    settings.SIGNING_KEY_DIR = tmp_path
    settings.SIGNING_KEYSET = tmp_path / "keys.json"
    with pytest.raises(
        SigningError,
        match=r"centre 5 has no Ed25519 signing key: run `python manage.py create_signing_key --centre 5`",
    ):
        sign(5, b"record")
    assert not (tmp_path / "keys.json").exists()


def test_private_keys_are_files_readable_by_their_owner_only(signing_key_dir):
    key_id, _ = sign(7, b"record")
    assert (signing_key_dir / f"{key_id}.pem").stat().st_mode & 0o777 == 0o600
    assert "PRIVATE" not in (signing_key_dir / "keys.json").read_text()


def test_rotation_keeps_the_old_key_so_old_signatures_still_verify(tmp_path, settings):
    settings.SIGNING_KEY_DIR = tmp_path
    settings.SIGNING_KEYSET = tmp_path / "keys.json"
    settings.SIGNING_DEVELOPMENT_KEYS = False
    first = create_key(key_dir=tmp_path, keyset_path=tmp_path / "keys.json", centre_id=3, development=False)
    old_id, old_signature = sign(3, b"signed before")
    signed_at = datetime.now(UTC)
    second = create_key(
        key_dir=tmp_path, keyset_path=tmp_path / "keys.json", centre_id=3, development=False, rotate=True
    )
    new_id, _ = sign(3, b"signed after")
    assert (old_id, new_id) == (first.key_id, second.key_id)
    assert second.key_id == f"{first.key_id}-2"
    keyset().verify(old_id, b"signed before", old_signature, at=signed_at)
    assert keyset().get(old_id).valid_until == second.valid_from


def test_a_retired_key_does_not_verify_what_claims_to_be_signed_after_its_retirement(tmp_path, settings):
    settings.SIGNING_KEY_DIR = tmp_path
    settings.SIGNING_KEYSET = tmp_path / "keys.json"
    create_key(key_dir=tmp_path, keyset_path=tmp_path / "keys.json", centre_id=3, development=False)
    old_id, signature = sign(3, b"record")
    create_key(
        key_dir=tmp_path, keyset_path=tmp_path / "keys.json", centre_id=3, development=False, rotate=True
    )
    with pytest.raises(SignatureInvalid, match=f"key {old_id} was not in force at "):
        keyset().verify(old_id, b"record", signature, at=datetime.now(UTC) + timedelta(seconds=1))


def test_the_pdf_key_is_ecdsa_p256_with_a_certificate_naming_the_centre(tmp_path, settings):
    settings.SIGNING_KEY_DIR = tmp_path
    settings.SIGNING_KEYSET = tmp_path / "keys.json"
    create_key(
        key_dir=tmp_path, keyset_path=tmp_path / "keys.json", centre_id=4, algorithm=ECDSA_P256,
        development=False, name="Riverside Care Academy",
    )  # fmt: skip
    key_id, private, certificate = pdf_credentials(4)
    assert keyset().get(key_id).algorithm == ECDSA_P256
    assert private.curve.name == "secp256r1"
    assert certificate.subject.rfc4514_string() == "O=Riverside Care Academy,CN=Riverside Care Academy"
    assert keyset().current(4, ED25519) is None


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"keys": []}, 'a key set is a JSON object with "format": "portfolio-keys/1"'),
        ({"format": "portfolio-keys/1", "keys": [{"key_id": "k", "algorithm": "RSA"}]}, "key k: algorithm must be one of"),
    ],
)  # fmt: skip
def test_a_malformed_key_set_is_one_line(document, message):
    with pytest.raises(SigningError, match=message):
        KeySet.from_json(document)
