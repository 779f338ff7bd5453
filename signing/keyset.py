"""The public key set: which keys exist, whose they are and when each was in force.

It is read from a JSON file named by configuration (SIGNING_KEYSET), never from the database, where an insider
could add a key of their own; the same document is published at `/.well-known/portfolio-keys.json` so that anyone
holding a signed record can check it without trusting this server.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

FORMAT = "portfolio-keys/1"
ED25519 = "Ed25519"
ECDSA_P256 = "ECDSA-P256"
ALGORITHMS = (ED25519, ECDSA_P256)


class SigningError(Exception):
    """One-line reason, shown to people and printed by commands."""


class SignatureInvalid(SigningError):
    """A signature that does not verify: unknown key, wrong algorithm, key not in force then, or bad bytes."""


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TypeError(f"naive datetime {value!r} cannot be signed: give it a time zone")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be part of a signed record")


def canonical(value: object) -> bytes:
    """The bytes a signature covers: JSON with sorted keys and no spaces, UTF-8; times ISO 8601 in UTC."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
    ).encode("utf-8")


def _time(raw: object, *, field: str, key_id: str) -> datetime:
    if not isinstance(raw, str):
        raise SigningError(f"key {key_id}: {field} must be an ISO 8601 time")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise SigningError(f"key {key_id}: {field} {raw!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise SigningError(f"key {key_id}: {field} {raw!r} has no time zone")
    return moment


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class PublicKey:
    """One published key: its id, the centre it signs for (None: the site's own) and when it was in force."""

    key_id: str
    centre: int | None
    algorithm: str
    public_key: str
    valid_from: datetime
    valid_until: datetime | None
    certificate: str | None
    development: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "PublicKey":
        key_id = data.get("key_id")
        if not isinstance(key_id, str) or not key_id:
            raise SigningError("a key in the key set has no key_id")
        algorithm = data.get("algorithm")
        if algorithm not in ALGORITHMS:
            raise SigningError(
                f"key {key_id}: algorithm must be one of {', '.join(ALGORITHMS)}, not {algorithm!r}"
            )
        centre = data.get("centre")
        if centre is not None and (not isinstance(centre, int) or isinstance(centre, bool)):
            raise SigningError(f"key {key_id}: centre must be a number or null")
        public_key = data.get("public_key")
        if not isinstance(public_key, str):
            raise SigningError(f"key {key_id}: public_key must be a PEM text")
        until = data.get("valid_until")
        certificate = data.get("certificate")
        return cls(
            key_id=key_id,
            centre=centre,
            algorithm=str(algorithm),
            public_key=public_key,
            valid_from=_time(data.get("valid_from"), field="valid_from", key_id=key_id),
            valid_until=None if until is None else _time(until, field="valid_until", key_id=key_id),
            certificate=certificate if isinstance(certificate, str) else None,
            development=bool(data.get("development", False)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "centre": self.centre,
            "algorithm": self.algorithm,
            "public_key": self.public_key,
            "valid_from": _iso(self.valid_from),
            "valid_until": None if self.valid_until is None else _iso(self.valid_until),
            "certificate": self.certificate,
            "development": self.development,
        }

    def in_force_at(self, moment: datetime) -> bool:
        return self.valid_from <= moment and (self.valid_until is None or moment < self.valid_until)


class KeySet:
    """The published public keys, by id. Immutable once read; a rotation writes a new file."""

    def __init__(self, keys: list[PublicKey]) -> None:
        self._keys: dict[str, PublicKey] = {}
        for key in keys:
            if key.key_id in self._keys:
                raise SigningError(f"the key set lists key {key.key_id} twice")
            self._keys[key.key_id] = key

    @classmethod
    def from_file(cls, path: Path) -> "KeySet":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SigningError(f"no key set at {path}") from None
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise SigningError(f"cannot read the key set {path}: {error}") from None
        return cls.from_json(data)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "KeySet":
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise SigningError(f'a key set is a JSON object with "format": "{FORMAT}"')
        keys = data.get("keys")
        if not isinstance(keys, list) or not all(isinstance(key, dict) for key in keys):
            raise SigningError('a key set\'s "keys" is a list of objects')
        return cls([PublicKey.from_json(key) for key in keys])

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "keys": [key.to_json() for key in self]}

    def __iter__(self) -> Iterator[PublicKey]:
        return iter(sorted(self._keys.values(), key=lambda key: (key.valid_from, key.key_id)))

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, key_id: str) -> PublicKey:
        try:
            return self._keys[key_id]
        except KeyError:
            raise SigningError(f"unknown key id {key_id!r} (not in the key set)") from None

    def current(self, centre_id: int | None, algorithm: str = ED25519) -> PublicKey | None:
        """The key that signs for this centre now: the newest one of the algorithm with no end of validity."""
        current = [
            key
            for key in self
            if key.centre == centre_id and key.algorithm == algorithm and key.valid_until is None
        ]
        return current[-1] if current else None

    def verify(self, key_id: str, payload: bytes, signature: bytes, *, at: datetime | None = None) -> None:
        """Raise SignatureInvalid, with a one-line reason, unless `signature` is key_id's over `payload`."""
        try:
            key = self.get(key_id)
        except SigningError as error:
            raise SignatureInvalid(str(error)) from None
        if at is not None and not key.in_force_at(at):
            raise SignatureInvalid(f"key {key_id} was not in force at {_iso(at)}")
        try:
            loaded = serialization.load_pem_public_key(key.public_key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise SignatureInvalid(f"key {key_id}: public_key is not a PEM public key") from None
        try:
            if key.algorithm == ED25519 and isinstance(loaded, Ed25519PublicKey):
                loaded.verify(signature, payload)
            elif key.algorithm == ECDSA_P256 and isinstance(loaded, ec.EllipticCurvePublicKey):
                loaded.verify(signature, payload, ec.ECDSA(hashes.SHA256()))
            else:
                raise SignatureInvalid(f"key {key_id} is not an {key.algorithm} key")
        except InvalidSignature:
            raise SignatureInvalid(f"signature does not match key {key_id}") from None
