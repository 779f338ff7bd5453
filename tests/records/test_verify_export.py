"""Checking an export offline: a fresh export passes; any change to it is found and the file named, and a rewrite
that keeps every hash consistent fails on the centre's signature of the manifest."""

import hashlib
import io
import json
from collections.abc import Callable
from typing import Any
from zipfile import ZipFile

import pytest
from django.core.management import CommandError, call_command

from records.exports import write_cohort_export, write_learner_export
from records.verification.exports import verify_export
from signing.keys import keyset
from tests.factories import EnrolmentFactory

# Verification reads the record as any file: a plain PDF stands in for the rendered one, to save seconds.
pytestmark = pytest.mark.usefixtures("plain_records")

EVIDENCE = "evidence/E1/reflective-account.pdf"


def learner_export(enrolment) -> bytes:
    out = io.BytesIO()
    write_learner_export(enrolment=enrolment, out=out)
    return out.getvalue()


def cohort_export(enrolments) -> bytes:
    out = io.BytesIO()
    write_cohort_export(enrolments=enrolments, out=out)
    return out.getvalue()


def problems(data: bytes) -> list[str]:
    """What verifying the ZIP against the published key set finds."""
    return verify_export(io.BytesIO(data), keys=keyset()).problems


def manifest_signature_broken(data: bytes, prefix: str = "") -> str:
    """The problem a manifest edited after signing shows, naming the key that signed the original."""
    key_id = json.loads(ZipFile(io.BytesIO(data)).read("manifest.sig"))["key_id"]
    return (
        f"{prefix}manifest.json: does not match its signature in manifest.sig by key {key_id} (changed after the "
        "centre signed it)"
    )


def one_byte_changed(content: bytes, at: int = -10) -> bytes:
    changed = bytearray(content)
    changed[at] ^= 0x01
    return bytes(changed)


def rebuilt(
    data: bytes,
    *,
    changed: dict[str, bytes] | None = None,
    dropped: tuple[str, ...] = (),
    added: dict[str, bytes] | None = None,
) -> bytes:
    """The archive written again member by member, so every CRC is valid, with some members changed, dropped or
    added: what someone who unzips, edits and zips again would hand over."""
    changed, added = changed or {}, added or {}
    out = io.BytesIO()
    with ZipFile(io.BytesIO(data)) as source, ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename not in dropped:
                target.writestr(info, changed.get(info.filename, source.read(info)))
        for name, content in added.items():
            target.writestr(name, content)
    return out.getvalue()


def with_manifest_edited(data: bytes, edit: Callable[[dict[str, Any]], None]) -> bytes:
    """The manifest edited and manifest.sha256 recomputed to match, as a careful tamperer would."""
    manifest = json.loads(ZipFile(io.BytesIO(data)).read("manifest.json"))
    edit(manifest)
    text = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
    digest = f"{hashlib.sha256(text).hexdigest()}  manifest.json\n".encode()
    return rebuilt(data, changed={"manifest.json": text, "manifest.sha256": digest})


def member(data: bytes, name: str) -> bytes:
    return ZipFile(io.BytesIO(data)).read(name)


@pytest.fixture
def exported(completed_unit) -> bytes:
    return learner_export(completed_unit)


def test_a_fresh_learner_export_verifies(exported):
    report = verify_export(io.BytesIO(exported), keys=keyset())
    assert (report.ok, report.problems, report.format) == (True, [], "portfolio-export/1")
    assert (report.learners_checked, report.files_checked, report.signatures_checked) == (1, 2, 4)


def test_a_fresh_cohort_export_verifies(completed_unit, unit_in_progress):
    report = verify_export(io.BytesIO(cohort_export([completed_unit, unit_in_progress])), keys=keyset())
    assert (report.ok, report.problems, report.format) == (True, [], "portfolio-cohort-export/1")
    assert (report.learners_checked, report.files_checked, report.signatures_checked) == (2, 7, 4)


def test_an_export_of_a_learner_with_nothing_yet_verifies(unit):
    assert problems(learner_export(EnrolmentFactory(specifications=[unit]))) == []


def test_one_changed_byte_in_an_evidence_file_is_named(exported):
    tampered = rebuilt(exported, changed={EVIDENCE: one_byte_changed(member(exported, EVIDENCE))})
    assert problems(tampered) == [f"{EVIDENCE}: SHA-256 does not match the manifest"]


def test_one_changed_byte_in_the_manifest_is_detected(exported):
    manifest = member(exported, "manifest.json")
    at = manifest.index(b"Reflective account of a review")
    tampered = rebuilt(exported, changed={"manifest.json": one_byte_changed(manifest, at)})
    assert problems(tampered) == [
        "manifest.json: SHA-256 does not match manifest.sha256 (the manifest was changed)",
        manifest_signature_broken(exported),
    ]


def test_a_missing_file_is_named(exported):
    assert problems(rebuilt(exported, dropped=(EVIDENCE,))) == [
        f"{EVIDENCE}: listed in the manifest but missing from the archive"
    ]


def test_an_added_file_is_named(exported):
    assert problems(rebuilt(exported, added={"evidence/E1/extra.pdf": b"%PDF-1.4"})) == [
        "evidence/E1/extra.pdf: in the archive but not listed in the manifest"
    ]


def test_a_signed_record_altered_in_the_manifest_is_caught_by_its_digest(exported):
    def unmeet_a_line(manifest: dict[str, Any]) -> None:
        manifest["signatures"][1]["covered"]["lines"][0]["met"] = False

    assert problems(with_manifest_edited(exported, unmeet_a_line)) == [
        manifest_signature_broken(exported),
        "manifest.json: the assessor signature on L/652/0848 by Brendan Walsh: its digest does not match the "
        "record it covers (changed after signing)",
    ]


def test_an_evidence_file_replaced_with_every_hash_in_the_manifest_updated_is_caught_by_the_signatures(
    exported,
):
    forged = b"%PDF-1.4\n% a different account\n%%EOF\n"
    forged_sha256 = hashlib.sha256(forged).hexdigest()

    def point_at_the_forgery(manifest: dict[str, Any]) -> None:
        for listed in [*manifest["files"], *manifest["evidence"][0]["files"]]:
            if listed["path"] == EVIDENCE:
                listed.update(size=len(forged), sha256=forged_sha256)
        manifest["evidence"][0]["files"][0]["sha256_at_upload"] = forged_sha256

    tampered = with_manifest_edited(rebuilt(exported, changed={EVIDENCE: forged}), point_at_the_forgery)
    assert problems(tampered) == [
        manifest_signature_broken(exported),
    ] + [
        f"{EVIDENCE}: SHA-256 differs from the one the {role} signature on L/652/0848 by {name} covers"
        for role, name in [
            ("learner", "Amara Okafor"),
            ("assessor", "Brendan Walsh"),
            ("admin_check", "Catherine Lloyd"),
            ("completion", "Catherine Lloyd"),
        ]
    ]


def test_a_stored_file_that_changed_after_upload_is_named(exported):
    def record_another_upload_hash(manifest: dict[str, Any]) -> None:
        manifest["evidence"][0]["files"][0]["sha256_at_upload"] = "0" * 64

    assert problems(with_manifest_edited(exported, record_another_upload_hash)) == [
        manifest_signature_broken(exported),
        f"{EVIDENCE}: differs from the file uploaded to E1 (its SHA-256 at upload was {'0' * 64}): the stored "
        "file changed after upload",
    ]


def test_corrupted_archive_bytes_name_the_member_with_the_bad_crc(exported):
    at = exported.index(member(exported, EVIDENCE)) + 20
    found = problems(one_byte_changed(exported, at))
    assert found == [f"{EVIDENCE}: cannot be read, the archive is damaged (Bad CRC-32 for file '{EVIDENCE}')"]


def test_a_file_that_is_not_a_zip_is_reported(tmp_path):
    path = tmp_path / "export.zip"
    path.write_bytes(b"%PDF-1.4 not an archive")
    assert verify_export(path, keys=keyset()).problems == [
        f"{path}: not a ZIP archive, or too damaged to open (File is not a zip file)"
    ]


def test_an_archive_without_a_manifest_is_reported(exported):
    assert problems(rebuilt(exported, dropped=("manifest.json",))) == [
        "manifest.json: missing, so nothing in the archive can be checked"
    ]


def test_a_manifest_that_is_not_json_is_reported(exported):
    digest = f"{hashlib.sha256(b'{not json').hexdigest()}  manifest.json\n".encode()
    tampered = rebuilt(exported, changed={"manifest.json": b"{not json", "manifest.sha256": digest})
    assert problems(tampered) == [
        "manifest.json: not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"
    ]


def test_an_unknown_format_version_is_reported(exported):
    def from_the_future(manifest: dict[str, Any]) -> None:
        manifest["format"] = "portfolio-export/2"

    assert problems(with_manifest_edited(exported, from_the_future)) == [
        'manifest.json: unknown format "portfolio-export/2": this verifier reads portfolio-export/1 or '
        "portfolio-cohort-export/1"
    ]


def test_a_manifest_field_of_the_wrong_type_is_reported_not_raised(exported):
    def size_in_words(manifest: dict[str, Any]) -> None:
        manifest["files"][1]["size"] = "small"

    assert problems(with_manifest_edited(exported, size_in_words)) == [
        "manifest.json: at files/1/size: 'small' is not of type 'integer'"
    ]


def test_a_tampered_learner_zip_inside_a_cohort_export_is_named(completed_unit):
    cohort = cohort_export([completed_unit])
    (path,) = [name for name in ZipFile(io.BytesIO(cohort)).namelist() if name.startswith("learners/")]
    inner = member(cohort, path)
    tampered_inner = rebuilt(inner, changed={EVIDENCE: one_byte_changed(member(inner, EVIDENCE))})
    assert problems(rebuilt(cohort, changed={path: tampered_inner})) == [
        f"{path}: SHA-256 does not match the manifest",
        f"{path}: {EVIDENCE}: SHA-256 does not match the manifest",
    ]


def published_keys(tmp_path) -> str:
    """The key set as /.well-known/portfolio-keys.json publishes it, saved to a file."""
    path = tmp_path / "portfolio-keys.json"
    path.write_text(json.dumps(keyset().to_json()))
    return str(path)


def test_the_command_prints_what_it_checked_and_ok(exported, tmp_path):
    path = tmp_path / "amara.zip"
    path.write_bytes(exported)
    out = io.StringIO()
    call_command("verify_export", str(path), "--keys", published_keys(tmp_path), stdout=out)
    assert out.getvalue() == (
        f"{path}: portfolio-export/1: 1 learner, 2 files and 4 signatures checked\n  OK\n"
    )


def test_the_command_fails_and_prints_each_problem(exported, tmp_path):
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    good.write_bytes(exported)
    bad.write_bytes(rebuilt(exported, dropped=(EVIDENCE,)))
    out = io.StringIO()
    with pytest.raises(CommandError, match=f"^1 of 2 failed verification: {bad}$"):
        call_command("verify_export", str(good), str(bad), "--keys", published_keys(tmp_path), stdout=out)
    assert out.getvalue().splitlines()[2:] == [
        f"{bad}: portfolio-export/1: 1 learner, 1 file and 4 signatures checked",
        f"  {EVIDENCE}: listed in the manifest but missing from the archive",
    ]


def test_the_command_names_a_missing_file(tmp_path):
    missing = tmp_path / "nowhere.zip"
    err = io.StringIO()
    with pytest.raises(CommandError, match=f"^1 of 1 failed verification: {missing}$"):
        call_command("verify_export", str(missing), "--keys", published_keys(tmp_path), stderr=err)
    assert err.getvalue() == f"{missing}: no such file\n"


def test_the_command_requires_the_key_set(exported, tmp_path):
    path = tmp_path / "amara.zip"
    path.write_bytes(exported)
    with pytest.raises(CommandError, match="^Error: the following arguments are required: --keys$"):
        call_command("verify_export", str(path))


def test_the_command_says_in_one_line_that_the_key_set_cannot_be_read(exported, tmp_path):
    path, keys = tmp_path / "amara.zip", tmp_path / "keys.json"
    path.write_bytes(exported)
    keys.write_text("<html>not found</html>")
    with pytest.raises(CommandError, match="^--keys: cannot read the key set .*keys.json: Expecting value"):
        call_command("verify_export", str(path), "--keys", str(keys))
