"""`manifest.sig`: the centre's Ed25519 signature of an export's `manifest.json`, detached beside it.

`manifest.sha256` shows that the files match the manifest, but anyone who edits the manifest can recompute it.
The signature is made with the centre's private key, which never leaves the server, so a manifest rewritten
consistently elsewhere no longer verifies against the published key set. The format is described in
docs/export-format.md; this module writes it and checks it.
"""

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from signing.keys import ED25519, KeySet, SignatureInvalid, SigningError, sign

SIGNATURE = "manifest.sig"
SIGNATURE_FORMAT = "portfolio-manifest-signature/1"
SIGNED = "manifest.json"


def signature_file(manifest: bytes, *, centre_id: int | None) -> bytes:
    """The contents of manifest.sig for these exact manifest bytes, signed with the centre's current key (the
    site's own key for an export that holds no single centre)."""
    key_id, signature = sign(centre_id, manifest)
    document = {
        "format": SIGNATURE_FORMAT,
        "signs": SIGNED,
        "algorithm": ED25519,
        "key_id": key_id,
        "signature": base64.b64encode(signature).decode("ascii"),
    }
    return (json.dumps(document, indent=2) + "\n").encode("ascii")


def _owner(centre: int | None) -> str:
    return "the site" if centre is None else f"centre {centre}"


def _parse(data: bytes) -> tuple[str, bytes]:
    """(key id, signature bytes) from manifest.sig; ValueError with the reason if it is not one we read."""
    try:
        document: Any = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ValueError(f"not valid JSON ({error})") from None
    if not isinstance(document, dict) or document.get("format") != SIGNATURE_FORMAT:
        raise ValueError(f'not a signature in the format "{SIGNATURE_FORMAT}"')
    key_id, encoded = document.get("key_id"), document.get("signature")
    if document.get("signs") != SIGNED or document.get("algorithm") != ED25519:
        raise ValueError(f'it must sign "{SIGNED}" with "{ED25519}"')
    if not isinstance(key_id, str) or not isinstance(encoded, str):
        raise ValueError('"key_id" and "signature" must be strings')
    try:
        return key_id, base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise ValueError('"signature" is not base64') from None


def check_signature(
    manifest: bytes, data: bytes, *, keys: KeySet, centre_id: int | None, generated_at: datetime
) -> str | None:
    """The one problem with manifest.sig, or None: it must be made by a key in `keys` that belongs to the
    export's centre (the site's for a cohort of several centres), was in force when the export was written,
    and signs these very bytes."""
    try:
        key_id, signature = _parse(data)
    except ValueError as error:
        return f"{SIGNATURE}: not a signature this verifier reads: {error}"
    try:
        key = keys.get(key_id)
    except SigningError:
        return f"{SIGNATURE}: signed with key {key_id}, which is not in the key set given (--keys)"
    if key.algorithm != ED25519:
        return f"{SIGNATURE}: key {key_id} is an {key.algorithm} key, not an {ED25519} one"
    if key.centre != centre_id:
        return f"{SIGNATURE}: key {key_id} belongs to {_owner(key.centre)}, not to the export's {_owner(centre_id)}"
    if not key.in_force_at(generated_at):
        return f"{SIGNATURE}: key {key_id} was not in force when the export was written ({generated_at.isoformat()})"
    try:
        keys.verify(key_id, manifest, signature)
    except SignatureInvalid:
        return (
            f"{SIGNED}: does not match its signature in {SIGNATURE} by key {key_id} "
            "(changed after the centre signed it)"
        )
    return None
