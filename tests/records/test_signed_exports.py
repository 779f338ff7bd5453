"""The centre's signature of an export's manifest (manifest.sig): the attacks issue 13 names, as a forger holding
the ZIP but not the centre's private key would make them, each caught and named by `verify_export`."""

import base64
import hashlib
import io
import json
from datetime import datetime, timedelta
from typing import Any
from zipfile import ZipFile

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from assessments.services.signatures import digest_of
from records.verification.exports import verify_export
from signing.keys import KeySet, canonical, keyset, sign
from tests.factories import CentreFactory
from tests.records.test_verify_export import (
    EVIDENCE,
    cohort_export,
    learner_export,
    manifest_signature_broken,
    member,
    problems,
    rebuilt,
    with_manifest_edited,
)

pytestmark = pytest.mark.usefixtures("plain_records")

FORGED = b"%PDF-1.4\n% a different account, written by someone else\n%%EOF\n"


@pytest.fixture
def exported(completed_unit) -> bytes:
    return learner_export(completed_unit)


def signature_of(data: bytes) -> dict[str, Any]:
    return json.loads(member(data, "manifest.sig"))


def rewritten_consistently(data: bytes) -> bytes:
    """E1's file replaced, and every hash that mentions it recomputed: its size and SHA-256 in the list of
    files and in the evidence, its SHA-256 at upload, the record each signature covers and that signature's
    digest, then manifest.sha256. Everything but the centre's signature agrees with the forgery."""
    forged_sha256 = hashlib.sha256(FORGED).hexdigest()
    original_sha256 = hashlib.sha256(member(data, EVIDENCE)).hexdigest()

    def rewrite(manifest: dict[str, Any]) -> None:
        for listed in [*manifest["files"], *manifest["evidence"][0]["files"]]:
            if listed["path"] == EVIDENCE:
                listed.update(size=len(FORGED), sha256=forged_sha256)
        manifest["evidence"][0]["files"][0]["sha256_at_upload"] = forged_sha256
        for signature in manifest["signatures"]:
            for piece in signature["covered"]["evidence"]:
                for covered in piece["files"]:
                    if covered["sha256"] == original_sha256:
                        covered["sha256"] = forged_sha256
            signature["digest"] = digest_of(signature["covered"])

    return with_manifest_edited(rebuilt(data, changed={EVIDENCE: FORGED}), rewrite)


def statements_disagree(exported: bytes) -> list[str]:
    """What each signature of a consistent rewrite shows: its statement, signed by the centre's key, still gives
    the digest that was signed."""
    return [
        f"manifest.json: the {s['role']} signature on L/652/0848 by {s['name_printed']}: its signed statement "
        f"gives another digest ({s['digest']!r})"
        for s in json.loads(member(exported, "manifest.json"))["signatures"]
    ]


def signed_by_forger(data: bytes, *, key_id: str) -> bytes:
    """manifest.sig made again over the ZIP's manifest with a key the forger made, under `key_id`."""
    forger = Ed25519PrivateKey.generate()
    document = {
        **signature_of(data),
        "key_id": key_id,
        "signature": base64.b64encode(forger.sign(member(data, "manifest.json"))).decode(),
    }
    return rebuilt(data, changed={"manifest.sig": json.dumps(document).encode()})


def test_the_manifest_signature_verifies_with_the_published_public_key_alone(exported, completed_unit):
    """What docs/export-format.md tells a reader to do, with nothing of this program: the Ed25519 signature in
    manifest.sig, under the centre's current key, over the exact bytes of manifest.json."""
    document = signature_of(exported)
    key = keyset().current(completed_unit.centre_id)
    assert key is not None
    assert {k: document[k] for k in ("format", "signs", "algorithm", "key_id")} == {
        "format": "portfolio-manifest-signature/1",
        "signs": "manifest.json",
        "algorithm": "Ed25519",
        "key_id": key.key_id,
    }
    public_key = serialization.load_pem_public_key(key.public_key.encode())
    assert isinstance(public_key, Ed25519PublicKey)
    public_key.verify(base64.b64decode(document["signature"]), member(exported, "manifest.json"))


def test_an_export_rewritten_consistently_without_the_centres_key_fails_on_its_signature(exported):
    """Everything a forger can recompute agrees; the centre's key signed the manifest and, entry by entry, each
    signature's statement of the digest, so both name the rewrite."""
    forged = rewritten_consistently(exported)
    assert member(forged, EVIDENCE) == FORGED
    assert problems(forged) == [manifest_signature_broken(exported), *statements_disagree(exported)]


def test_a_rewrite_signed_again_with_the_forgers_own_key_is_not_in_the_key_set(exported):
    forged = signed_by_forger(rewritten_consistently(exported), key_id="centre-1-forged-ed25519")
    assert problems(forged) == [
        "manifest.sig: signed with key centre-1-forged-ed25519, which is not in the key set given (--keys)",
        *statements_disagree(exported),
    ]


def test_a_rewrite_signed_by_the_forger_under_the_centres_key_id_does_not_verify(exported):
    key_id = signature_of(exported)["key_id"]
    forged = signed_by_forger(rewritten_consistently(exported), key_id=key_id)
    assert problems(forged) == [manifest_signature_broken(exported), *statements_disagree(exported)]


def test_an_export_whose_signature_was_removed_fails(exported):
    assert problems(rebuilt(exported, dropped=("manifest.sig",))) == [
        "manifest.sig: missing, so nothing shows that the centre wrote manifest.json"
    ]


def test_a_manifest_signed_with_another_centres_key_fails(exported, completed_unit):
    other = CentreFactory()
    key_id, signature = sign(other.pk, member(exported, "manifest.json"))
    document = {**signature_of(exported), "key_id": key_id, "signature": base64.b64encode(signature).decode()}
    swapped = rebuilt(exported, changed={"manifest.sig": json.dumps(document).encode()})
    assert problems(swapped) == [
        f"manifest.sig: key {key_id} belongs to centre {other.pk}, not to the export's centre "
        f"{completed_unit.centre_id}"
    ]


def test_a_key_retired_before_the_export_was_written_fails(exported):
    """A rotated key verifies what it signed while in force (here the sign-offs), not an export made later."""
    key_id = signature_of(exported)["key_id"]
    generated_at = json.loads(member(exported, "manifest.json"))["generated_at"]
    published = keyset().to_json()
    for key in published["keys"]:
        if key["key_id"] == key_id:  # published as retired a moment before the export was written
            key["valid_until"] = (
                datetime.fromisoformat(generated_at) - timedelta(microseconds=1)
            ).isoformat()
    report = verify_export(io.BytesIO(exported), keys=KeySet.from_json(published))
    assert report.problems == [
        f"manifest.sig: key {key_id} was not in force when the export was written ({generated_at})"
    ]


def test_an_unreadable_signature_is_named(exported):
    assert problems(rebuilt(exported, changed={"manifest.sig": b"\x00garbage"})) == [
        "manifest.sig: not a signature this verifier reads: not valid JSON (Expecting value: line 1 column 1 "
        "(char 0))"
    ]


def test_a_cohort_export_is_signed_with_its_centres_key(completed_unit):
    cohort = cohort_export([completed_unit])
    key = keyset().current(completed_unit.centre_id)
    assert key is not None
    assert signature_of(cohort)["key_id"] == key.key_id
    assert problems(cohort) == []


def test_a_learner_export_rewritten_inside_a_cohort_fails_on_both_signatures(completed_unit):
    cohort = cohort_export([completed_unit])
    (path,) = [name for name in ZipFile(io.BytesIO(cohort)).namelist() if name.startswith("learners/")]
    inner = member(cohort, path)
    forged_inner = rewritten_consistently(inner)

    def point_at_the_forgery(manifest: dict[str, Any]) -> None:
        manifest["learners"][0].update(
            size=len(forged_inner), sha256=hashlib.sha256(forged_inner).hexdigest()
        )

    forged = with_manifest_edited(rebuilt(cohort, changed={path: forged_inner}), point_at_the_forgery)
    assert problems(forged) == [
        manifest_signature_broken(cohort),
        manifest_signature_broken(inner, prefix=f"{path}: "),
        *(f"{path}: {line}" for line in statements_disagree(inner)),
    ]


def test_each_signature_in_an_export_carries_the_statement_its_centres_key_signed(exported, completed_unit):
    """Checkable with the published public key alone: the Ed25519 signature over the canonical JSON of the
    statement, which names the digest, the signer, the role, the time and the key."""
    signatures = json.loads(member(exported, "manifest.json"))["signatures"]
    assert [s["role"] for s in signatures] == ["learner", "assessor", "admin_check", "completion"]
    for signature in signatures:
        statement = signature["statement"]
        assert (statement["digest"], statement["key_id"], statement["centre"]) == (
            signature["digest"],
            signature["key_id"],
            completed_unit.centre_id,
        )
        public_key = serialization.load_pem_public_key(keyset().get(signature["key_id"]).public_key.encode())
        assert isinstance(public_key, Ed25519PublicKey)
        public_key.verify(base64.b64decode(signature["key_signature"]), canonical(statement))


def redigested(manifest: dict[str, Any]) -> dict[str, Any]:
    """The assessor's signature made to cover a line as not met, its digest recomputed; returned for more edits."""
    (signature,) = [s for s in manifest["signatures"] if s["role"] == "assessor"]
    signature["covered"]["lines"][0]["met"] = False
    signature["digest"] = digest_of(signature["covered"])
    return signature


ASSESSOR = "manifest.json: the assessor signature on L/652/0848 by Brendan Walsh"


def test_a_redigested_signature_whose_statement_was_also_rewritten_fails_on_the_centres_key(exported):
    def rewrite(manifest: dict[str, Any]) -> None:
        signature = redigested(manifest)
        signature["statement"]["digest"] = signature["digest"]

    key_id = json.loads(member(exported, "manifest.json"))["signatures"][1]["key_id"]
    assert problems(with_manifest_edited(exported, rewrite)) == [
        manifest_signature_broken(exported),
        f"{ASSESSOR}: its key signature does not verify: signature does not match key {key_id}",
    ]


def test_a_redigested_signature_is_named_by_the_statement_its_centre_signed(exported):
    original = json.loads(member(exported, "manifest.json"))["signatures"][1]["digest"]
    assert problems(with_manifest_edited(exported, redigested)) == [
        manifest_signature_broken(exported),
        f"{ASSESSOR}: its signed statement gives another digest ({original!r})",
    ]


def test_a_signature_stripped_of_its_statement_is_named(exported):
    def strip(manifest: dict[str, Any]) -> None:
        manifest["signatures"][1].update(statement=None, key_signature="")

    assert problems(with_manifest_edited(exported, strip)) == [
        manifest_signature_broken(exported),
        f"{ASSESSOR}: it carries no statement signed by the centre's key",
    ]
