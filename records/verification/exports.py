"""Checking an export offline, from the ZIP alone: what `manage.py verify_export` and anyone holding a copy runs.

The chain checked: manifest.sig (the centre's signature, against the key set given) → manifest.json;
manifest.sha256 → manifest.json → every file's size and SHA-256; each signature's digest →
the record it covers (recomputed with `digest_of`) → the SHA-256 of the evidence files it covers → the files in
the ZIP. A cohort's ZIP is checked the same way one level up, then each learner's ZIP inside it. Every problem
names the file it concerns; a damaged archive is reported, never raised. What this does and does not prove is
set out in docs/export-format.md.
"""

import hashlib
import json
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from zipfile import BadZipFile, ZipFile

from jsonschema import Draft202012Validator

from assessments.services.signatures import digest_of
from records.exports import COHORT_FORMAT, FORMAT, MANIFEST, MANIFEST_DIGEST, hash_stream
from records.manifest_signature import SIGNATURE, check_signature
from records.verification.export_schema import COHORT_SCHEMA, LEARNER_SCHEMA
from records.verification.statements import statement_problem
from signing.keys import KeySet

# Far above any manifest this program writes; a larger one is refused before it is read into memory.
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
# What reading a damaged or unreadable member raises: bad CRC, broken deflate stream, truncation, encryption,
# a compression method Python does not have.
_MANIFESTS = (MANIFEST, MANIFEST_DIGEST, SIGNATURE)
_DAMAGE = (BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError)


@dataclass
class VerificationReport:
    """What was checked in one export, and every problem found, each naming the file it concerns."""

    source: str
    format: str = ""
    problems: list[str] = field(default_factory=list)
    learners_checked: int = 0
    files_checked: int = 0
    signatures_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        learners, files, signatures = (
            _count(self.learners_checked, "learner"),
            _count(self.files_checked, "file"),
            _count(self.signatures_checked, "signature"),
        )
        return f"{self.format or 'unreadable export'}: {learners}, {files} and {signatures} checked"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def verify_export(source: str | Path | BinaryIO, *, keys: KeySet) -> VerificationReport:
    """Check a learner's or a cohort's export ZIP against its manifests and signatures, from the ZIP and the
    published key set alone."""
    name = getattr(source, "name", None) if not isinstance(source, str | Path) else str(source)
    report = VerificationReport(source=name if isinstance(name, str) else "the archive")
    try:
        archive = ZipFile(source)
    except FileNotFoundError:
        report.problems.append(f"{report.source}: no such file")
        return report
    except _DAMAGE as error:
        report.problems.append(f"{report.source}: not a ZIP archive, or too damaged to open ({error})")
        return report
    with archive:
        _Check(archive, report, keys, prefix="", formats=(FORMAT, COHORT_FORMAT)).run()
    return report


def _covered_files(covered: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(evidence reference, file name, SHA-256) for each evidence file a signed record covers."""
    evidence = covered.get("evidence")
    for piece in evidence if isinstance(evidence, list) else []:
        files = piece.get("files") if isinstance(piece, dict) else None
        for covered_file in files if isinstance(files, list) else []:
            if isinstance(covered_file, dict):
                yield str(piece.get("number")), str(covered_file.get("name")), str(covered_file.get("sha256"))


class _Check:
    """One ZIP being checked; problems go to the report, prefixed with where this ZIP sits in a cohort's."""

    def __init__(
        self,
        archive: ZipFile,
        report: VerificationReport,
        keys: KeySet,
        *,
        prefix: str,
        formats: tuple[str, ...],
    ) -> None:
        self.archive = archive
        self.report = report
        self.keys = keys
        self.prefix = prefix
        self.formats = formats
        self.members = Counter(info.filename for info in archive.infolist())

    def problem(self, text: str) -> None:
        self.report.problems.append(f"{self.prefix}{text}")

    def run(self) -> None:
        for name, count in sorted(self.members.items()):
            if count > 1:
                self.problem(f"{name}: appears {count} times in the archive")
        manifest = self._manifest()
        if manifest is None:
            return
        if not self.prefix:
            self.report.format = manifest["format"]
        if manifest["format"] == FORMAT:
            self._check_learner(manifest)
        else:
            self._check_cohort(manifest)

    def _read_small(self, name: str) -> bytes | None:
        info = self.archive.getinfo(name)
        if info.file_size > MAX_MANIFEST_BYTES:
            self.problem(f"{name}: {info.file_size} bytes, far larger than any manifest: not read")
            return None
        try:
            return self.archive.read(name)
        except _DAMAGE as error:
            self.problem(f"{name}: cannot be read, the archive is damaged ({error})")
            return None

    def _manifest(self) -> dict[str, Any] | None:
        """manifest.json, checked against manifest.sha256 and parsed; None (with the problem) if unusable."""
        data = self._manifest_bytes()
        if data is None:
            return None
        self._check_manifest_digest(data)
        try:
            manifest = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError) as error:
            self.problem(f"{MANIFEST}: not valid JSON ({error})")
            return None
        found = manifest.get("format") if isinstance(manifest, dict) else None
        if found not in self.formats:
            readable = " or ".join(self.formats)
            self.problem(f"{MANIFEST}: unknown format {json.dumps(found)}: this verifier reads {readable}")
            return None
        if not self._follows_schema(manifest, found):
            return None
        self._check_manifest_signature(data, manifest)
        return manifest

    def _check_manifest_signature(self, data: bytes, manifest: dict[str, Any]) -> None:
        """manifest.sig: the centre's signature of the manifest, the one thing a rewrite cannot remake."""
        if SIGNATURE not in self.members:
            self.problem(f"{SIGNATURE}: missing, so nothing shows that the centre wrote {MANIFEST}")
            return
        signed = self._read_small(SIGNATURE)
        if signed is None:
            return
        try:
            generated_at = datetime.fromisoformat(manifest["generated_at"])
        except ValueError:
            self.problem(f"{MANIFEST}: generated_at {manifest['generated_at']!r} is not a time")
            return
        if manifest["format"] == FORMAT:
            centre_id = manifest["centre"]["id"]
        else:
            centres = [centre["id"] for centre in manifest["centres"]]
            centre_id = centres[0] if len(centres) == 1 else None
        problem = check_signature(
            data, signed, keys=self.keys, centre_id=centre_id, generated_at=generated_at
        )
        if problem is not None:
            self.problem(problem)

    def _manifest_bytes(self) -> bytes | None:
        if MANIFEST not in self.members:
            self.problem(f"{MANIFEST}: missing, so nothing in the archive can be checked")
            return None
        return self._read_small(MANIFEST)

    def _check_manifest_digest(self, data: bytes) -> None:
        """manifest.sha256 gives the SHA-256 of the manifest read; without it a changed manifest goes unseen."""
        if MANIFEST_DIGEST not in self.members:
            self.problem(f"{MANIFEST_DIGEST}: missing, so a change to {MANIFEST} cannot be detected")
            return
        recorded = self._read_small(MANIFEST_DIGEST)
        if recorded is None:
            return
        if recorded.decode("ascii", "replace").split()[:1] != [hashlib.sha256(data).hexdigest()]:
            self.problem(f"{MANIFEST}: SHA-256 does not match {MANIFEST_DIGEST} (the manifest was changed)")

    def _follows_schema(self, manifest: dict[str, Any], found: str) -> bool:
        """The manifest has the fields the checks rely on; each one it lacks or gets wrong is a problem."""
        schema = LEARNER_SCHEMA if found == FORMAT else COHORT_SCHEMA
        errors = sorted(Draft202012Validator(schema).iter_errors(manifest), key=lambda e: list(e.path))
        for error in errors:
            where = "/".join(str(part) for part in error.absolute_path) or "top level"
            self.problem(f"{MANIFEST}: at {where}: {error.message}")
        return not errors

    def _measure(self, name: str, copy_to: BinaryIO | None = None) -> tuple[int, str] | None:
        """Stream a member (copying it if asked), returning its size and SHA-256; None if it cannot be read."""
        try:
            with self.archive.open(name) as member:
                return hash_stream(member, copy_to)
        except _DAMAGE as error:
            self.problem(f"{name}: cannot be read, the archive is damaged ({error})")
            return None

    def _check_listed(
        self,
        entries: list[dict[str, Any]],
        on_readable: Callable[[dict[str, Any], BinaryIO], None] | None = None,
    ) -> dict[str, dict[str, Any]]:
        """Every file listed is in the archive with its size and SHA-256, and nothing else is; `on_readable`
        gets each listed file that could be read, as a temporary copy."""
        listed: dict[str, dict[str, Any]] = {}
        for entry in entries:
            path = entry["path"]
            if path in listed:
                self.problem(f"{MANIFEST}: lists {path} twice")
                continue
            listed[path] = entry
            if path not in self.members:
                self.problem(f"{path}: listed in the manifest but missing from the archive")
                continue
            if on_readable is None:
                self._check_member(entry)
                continue
            with tempfile.TemporaryFile() as copy:
                if self._check_member(entry, copy):
                    copy.seek(0)
                    on_readable(entry, copy)
        self._check_unlisted(listed)
        return listed

    def _check_member(self, entry: dict[str, Any], copy_to: BinaryIO | None = None) -> bool:
        """A listed member has the size and SHA-256 the manifest gives; False if it cannot be read."""
        path = entry["path"]
        measured = self._measure(path, copy_to)
        if measured is None:
            return False
        self.report.files_checked += 1
        size, sha256 = measured
        if size != entry["size"]:
            self.problem(f"{path}: {size} bytes, but the manifest says {entry['size']}")
        if sha256 != entry["sha256"]:
            self.problem(f"{path}: SHA-256 does not match the manifest")
        return True

    def _check_unlisted(self, listed: Collection[str]) -> None:
        """Every file in the archive is listed, but for the manifest, its digest and its signature (folders are not
        files)."""
        for name in sorted(self.members):
            if name not in listed and name not in _MANIFESTS and not name.endswith("/"):
                self.problem(f"{name}: in the archive but not listed in the manifest")

    def _check_learner(self, manifest: dict[str, Any]) -> None:
        self.report.learners_checked += 1
        listed = self._check_listed(manifest["files"])
        for specification in manifest["specifications"]:
            record = specification["record"]
            self._cross_check(
                listed, record["path"], record["sha256"], f"the record of {specification['code']}"
            )
        current: dict[str, list[dict[str, Any]]] = {}
        for piece in manifest["evidence"]:
            for evidence_file in piece["files"]:
                path = evidence_file["path"]
                self._cross_check(listed, path, evidence_file["sha256"], f"a file of {piece['reference']}")
                if evidence_file["sha256"] != evidence_file["sha256_at_upload"]:
                    self.problem(
                        f"{path}: differs from the file uploaded to {piece['reference']} (its SHA-256 at "
                        f"upload was {evidence_file['sha256_at_upload']}): the stored file changed after upload"
                    )
                if evidence_file["current"]:
                    current.setdefault(piece["reference"], []).append(evidence_file)
        for signature in manifest["signatures"]:
            self._check_signature(signature, current, centre_id=manifest["centre"]["id"])

    def _cross_check(self, listed: dict[str, dict[str, Any]], path: str, sha256: str, what: str) -> None:
        """A file the manifest describes is in its list of files, with the same SHA-256."""
        if path not in listed:
            self.problem(f"{path}: {what} in the manifest, but not in its list of files")
        elif listed[path]["sha256"] != sha256:
            self.problem(f"{path}: the manifest gives {what} a SHA-256 other than its list of files does")

    def _check_signature(
        self, signature: dict[str, Any], current: dict[str, list[dict[str, Any]]], *, centre_id: int
    ) -> None:
        """The digest is that of the record it covers, and the centre's key signed it with who, what role and
        when; a signature in force covers the evidence files here."""
        self.report.signatures_checked += 1
        code = signature["specification"]["code"]
        label = f"the {signature['role']} signature on {code} by {signature['name_printed']}"
        if digest_of(signature["covered"]) != signature["digest"]:
            self.problem(
                f"{MANIFEST}: {label}: its digest does not match the record it covers (changed after signing)"
            )
            return
        problem = statement_problem(signature, keys=self.keys, centre_id=centre_id)
        if problem is not None:
            self.problem(f"{MANIFEST}: {label}: {problem}")
        if signature["voided_at"] is not None:
            return
        for reference, name, sha256 in _covered_files(signature["covered"]):
            files = current.get(reference, [])
            if any(f["sha256"] == sha256 for f in files):
                continue
            same_name = [f["path"] for f in files if f["original_name"] == name]
            if same_name:
                self.problem(f"{same_name[0]}: SHA-256 differs from the one {label} covers")
            else:
                self.problem(
                    f"evidence/{reference}: “{name}”, covered by {label}, is not among its current files"
                )

    def _check_cohort(self, manifest: dict[str, Any]) -> None:
        self._check_listed(manifest["learners"], on_readable=self._check_learner_zip)

    def _check_learner_zip(self, entry: dict[str, Any], copy: BinaryIO) -> None:
        path = entry["path"]
        try:
            nested = ZipFile(copy)
        except _DAMAGE as error:
            self.problem(f"{path}: not a ZIP archive, or too damaged to open ({error})")
            return
        with nested:
            _Check(nested, self.report, self.keys, prefix=f"{self.prefix}{path}: ", formats=(FORMAT,)).run()
