"""Key files: private keys in SIGNING_KEY_DIR (one PEM file per key, readable by its owner only), the public key
set in SIGNING_KEYSET. Creating or rotating a key rewrites the key set whole (a temporary file, then a rename)
under a lock, so a reader never sees half a file and two processes never lose each other's key.
"""

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID

from signing.keyset import ECDSA_P256, ED25519, KeySet, PublicKey, SigningError

PrivateKey = Ed25519PrivateKey | ec.EllipticCurvePrivateKey

# Development keys are made on demand with a validity reaching back far enough for back-dated demo and test
# records; a production key is valid from the moment it is made.
DEVELOPMENT_VALID_FROM = datetime(2000, 1, 1, tzinfo=UTC)
CERTIFICATE_YEARS = 30


def private_key_path(key_dir: Path, key_id: str) -> Path:
    return key_dir / f"{key_id}.pem"


def read_keyset(path: Path) -> KeySet:
    """The key set at `path`; an absent file is an empty set (no key made yet)."""
    if not path.exists():
        return KeySet([])
    return KeySet.from_file(path)


def load_private_key(key_dir: Path, key_id: str) -> PrivateKey:
    path = private_key_path(key_dir, key_id)
    try:
        data = path.read_bytes()
    except OSError:
        raise SigningError(
            f"the private key of {key_id} is not in SIGNING_KEY_DIR ({path} cannot be read)"
        ) from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise SigningError(f"{path} is not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
        raise SigningError(f"{path} is neither an Ed25519 nor an ECDSA key")
    return key


@contextmanager
def locked(key_dir: Path) -> Iterator[None]:
    key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (key_dir / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write_private(path: Path, key: PrivateKey) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)


def _write_keyset(path: Path, keys: KeySet) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(keys.to_json(), indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _key_id(keys: KeySet, centre_id: int | None, algorithm: str, now: datetime) -> str:
    owner = "site" if centre_id is None else f"centre-{centre_id}"
    base = f"{owner}-{now:%Y-%m-%d}-{'ed25519' if algorithm == ED25519 else 'ecdsa-p256'}"
    ids = {key.key_id for key in keys}
    candidate, number = base, 1
    while candidate in ids:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _certificate(key: ec.EllipticCurvePrivateKey, *, name: str, now: datetime) -> str:
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, name)]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * CERTIFICATE_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def create_key(
    *,
    key_dir: Path,
    keyset_path: Path,
    centre_id: int | None,
    algorithm: str = ED25519,
    development: bool,
    rotate: bool = False,
    name: str | None = None,
) -> PublicKey:
    """Make a key pair for a centre (None: the site) and publish its public half in the key set.

    Without `rotate`, a centre that already has a current key of this algorithm keeps it (and it is returned).
    With `rotate`, the current key gets `valid_until` = now and stays in the set, so what it signed still verifies.
    """
    with locked(key_dir):
        keys = read_keyset(keyset_path)
        current = keys.current(centre_id, algorithm)
        if current is not None and not rotate:
            return current
        now = datetime.now(UTC)
        key_id = _key_id(keys, centre_id, algorithm, now)
        private: PrivateKey = (
            Ed25519PrivateKey.generate() if algorithm == ED25519 else ec.generate_private_key(ec.SECP256R1())
        )
        certificate = None
        if isinstance(private, ec.EllipticCurvePrivateKey):
            owner = "the site" if centre_id is None else f"Centre {centre_id}"
            certificate = _certificate(private, name=name or owner, now=now)
        _write_private(private_key_path(key_dir, key_id), private)
        key = PublicKey(
            key_id=key_id,
            centre=centre_id,
            algorithm=algorithm,
            public_key=private.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode("ascii"),
            valid_from=DEVELOPMENT_VALID_FROM if development and current is None else now,
            valid_until=None,
            certificate=certificate,
            development=development,
        )
        retired = [] if current is None else [replace(current, valid_until=now)]
        others = [existing for existing in keys if current is None or existing.key_id != current.key_id]
        _write_keyset(keyset_path, KeySet([*others, *retired, key]))
        return key


__all__ = ["ECDSA_P256", "ED25519", "PrivateKey", "create_key", "load_private_key", "read_keyset"]
