"""Signing with a centre's key and verifying with the published key set: the API every floor uses.

Private keys live only in SIGNING_KEY_DIR (a directory the README names; never the database). The public key
set is the JSON file SIGNING_KEYSET, also served at `/.well-known/portfolio-keys.json`. Where development keys
are allowed (SIGNING_DEVELOPMENT_KEYS: DEBUG, and the tests) a centre's missing key is made on demand; in
production a missing key is a SigningError naming the command that makes it.
"""

import base64
import binascii
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from signing.keyset import (
    ECDSA_P256,
    ED25519,
    KeySet,
    PublicKey,
    SignatureInvalid,
    SigningError,
    canonical,
)
from signing.store import PrivateKey, create_key, load_private_key, read_keyset

__all__ = [
    "ECDSA_P256",
    "ED25519",
    "KeySet",
    "PublicKey",
    "SignatureInvalid",
    "SigningError",
    "canonical",
    "current_key",
    "keyset",
    "pdf_credentials",
    "sign",
    "sign_statement",
    "verify_statement",
]

_lock = threading.Lock()
# The key set as last read, with the file's identity then (path, mtime, size): a rotation by the command is seen
# by a running server at its next signature, without a restart.
_cached: tuple[tuple[str, int, int], KeySet] | None = None
_private: dict[tuple[str, str], PrivateKey] = {}


def key_dir() -> Path:
    return Path(settings.SIGNING_KEY_DIR)


def keyset_path() -> Path:
    return Path(settings.SIGNING_KEYSET)


def keyset() -> KeySet:
    """The configured public key set (an absent file: no keys yet), re-read only when the file changes."""
    global _cached
    path = keyset_path()
    try:
        status = path.stat()
    except FileNotFoundError:
        return KeySet([])
    identity = (str(path), status.st_mtime_ns, status.st_size)
    with _lock:
        if _cached is None or _cached[0] != identity:
            _cached = (identity, read_keyset(path))
        return _cached[1]


def _command(centre_id: int | None, *, pdf: bool) -> str:
    owner = "--site" if centre_id is None else f"--centre {centre_id}"
    return f"python manage.py create_signing_key {owner}{' --pdf' if pdf else ''}"


def current_key(centre_id: int | None, algorithm: str = ED25519) -> PublicKey:
    """The key that signs for the centre now; made on demand where development keys are allowed."""
    key = keyset().current(centre_id, algorithm)
    if key is not None:
        return key
    if not settings.SIGNING_DEVELOPMENT_KEYS:
        owner = "the site" if centre_id is None else f"centre {centre_id}"
        raise SigningError(
            f"{owner} has no {algorithm} signing key: run `{_command(centre_id, pdf=algorithm == ECDSA_P256)}`"
        )
    return create_key(
        key_dir=key_dir(),
        keyset_path=keyset_path(),
        centre_id=centre_id,
        algorithm=algorithm,
        development=True,
    )


def _private_key(key: PublicKey) -> PrivateKey:
    directory = str(key_dir())
    with _lock:
        cached = _private.get((directory, key.key_id))
    if cached is None:
        cached = load_private_key(key_dir(), key.key_id)
        with _lock:
            _private[(directory, key.key_id)] = cached
    return cached


def sign(centre_id: int | None, payload: bytes) -> tuple[str, bytes]:
    """(key id, Ed25519 signature of `payload`) with the centre's current key (None: the site's own)."""
    key = current_key(centre_id, ED25519)
    private = _private_key(key)
    if not isinstance(private, Ed25519PrivateKey):
        raise SigningError(f"the private key of {key.key_id} is not an Ed25519 key")
    return key.key_id, private.sign(payload)


def pdf_credentials(centre_id: int | None) -> tuple[str, ec.EllipticCurvePrivateKey, x509.Certificate]:
    """(key id, ECDSA P-256 private key, its self-signed certificate naming the centre), for signing PDFs."""
    key = current_key(centre_id, ECDSA_P256)
    private = _private_key(key)
    if not isinstance(private, ec.EllipticCurvePrivateKey) or key.certificate is None:
        raise SigningError(f"{key.key_id} is not an ECDSA P-256 key with a certificate")
    return key.key_id, private, x509.load_pem_x509_certificate(key.certificate.encode("ascii"))


def sign_statement(centre_id: int | None, statement: dict[str, Any]) -> tuple[str, str]:
    """Sign a record's canonical statement with the centre's current key: (key id, base64 signature).

    The key id is part of what is signed (`statement["key_id"]` is set here), so a signature cannot be passed
    off as another key's.
    """
    key = current_key(centre_id, ED25519)
    payload = canonical({**statement, "key_id": key.key_id})
    key_id, signature = sign(centre_id, payload)
    if key_id != key.key_id:  # rotated in between: sign again with the new key
        payload = canonical({**statement, "key_id": key_id})
        key_id, signature = sign(centre_id, payload)
    return key_id, base64.b64encode(signature).decode("ascii")


def verify_statement(
    centre_id: int | None, statement: dict[str, Any], key_id: str, signature: str, *, at: datetime
) -> None:
    """Raise SignatureInvalid (one line) unless `signature` is by the centre's key, in force at `at`, over the
    statement with that key id."""
    if not key_id or not signature:
        raise SignatureInvalid("it carries no key signature")
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureInvalid("its signature is not base64") from None
    published = keyset()
    key = published.get(key_id) if key_id in published else None
    if key is not None and key.centre != centre_id:
        owner = "the site" if key.centre is None else f"centre {key.centre}"
        raise SignatureInvalid(f"key {key_id} is {owner}'s, not the record's centre's")
    published.verify(key_id, canonical({**statement, "key_id": key_id}), raw, at=at)
