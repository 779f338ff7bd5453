"""A signature in an export, checked against the centre's key: each carries the statement the centre's Ed25519
key signed when the person signed (the digest of what they covered, who, in which role, when, with which key),
so it can be checked years later from the export and the published key set alone, entry by entry."""

import base64
import binascii
from datetime import datetime
from typing import Any

from signing.keys import KeySet, SigningError, canonical

# Fields the export shows beside the statement: each must say what the statement signed.
_SAME = ("digest", "role", "name_printed")


def statement_problem(signature: dict[str, Any], *, keys: KeySet, centre_id: int) -> str | None:
    """Why this manifest entry's key signature does not hold, in a few words, or None if it does."""
    statement, key_id, encoded = (signature.get(k) for k in ("statement", "key_id", "key_signature"))
    if not isinstance(statement, dict) or not isinstance(key_id, str) or not isinstance(encoded, str):
        return "it carries no statement signed by the centre's key"
    for name in _SAME:
        if statement.get(name) != signature.get(name):
            return f"its signed statement gives another {name} ({statement.get(name)!r})"
    if statement.get("key_id") != key_id:
        return f"its signed statement names key {statement.get('key_id')!r}, not {key_id}"
    if statement.get("centre") != centre_id:
        return f"its signed statement is of centre {statement.get('centre')!r}, not the export's {centre_id}"
    try:
        raw = base64.b64decode(encoded, validate=True)
        signed_at = datetime.fromisoformat(str(statement.get("signed_at")))
        key = keys.get(key_id)
        if key.centre != centre_id:
            return f"key {key_id} is not the export's centre's"
        keys.verify(key_id, canonical(statement), raw, at=signed_at)
    except (binascii.Error, ValueError):
        return "its key signature or signing time cannot be read"
    except SigningError as error:  # SignatureInvalid included: unknown key, not in force then, bad signature
        return f"its key signature does not verify: {error}"
    return None
