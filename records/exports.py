"""Portable exports: a learner's portfolio, or a cohort's, as a ZIP that anyone can check offline.

A learner's ZIP holds the completion record PDF of each specification, every evidence file (earlier versions
too) and `manifest.json`, which describes the portfolio as the database holds it and gives every file's size and
SHA-256; `manifest.sha256` is the SHA-256 of the manifest. `records.verification.verify_export` checks a ZIP
against both. The layout and every field are described in docs/export-format.md.

Evidence files are streamed from storage in chunks and hashed as they are copied: a file may be 1 GiB.
"""

import errno
import hashlib
import importlib.metadata
import io
import json
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, cast
from zipfile import ZIP_DEFLATED, ZIP_STORED, ZipFile, ZipInfo

from django.utils import timezone

from accounts.models import User
from centres.models import Enrolment
from portfolio.file_types import named_for_type
from portfolio.models import Evidence, EvidenceFile
from records import manifest as sections
from records.manifest_signature import SIGNATURE, signature_file
from records.pdf import ascii_slug, completion_record_filename, completion_record_pdf

FORMAT = "portfolio-export/1"
COHORT_FORMAT = "portfolio-cohort-export/1"
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.sha256"
EARLIER_VERSIONS = "earlier-versions"
CHUNK_SIZE = 1024 * 1024
# A learner's ZIP stays in memory up to this size on its way into a cohort's ZIP, and goes to disk beyond it.
SPOOL_BYTES = 16 * 1024 * 1024
MAX_NAME_LENGTH = 120
UNNAMED = "unnamed file"

# Formats that are compressed already: deflating them again costs time and saves nothing.
_UNCOMPRESSED_MEDIA = frozenset({"image/tiff", "image/bmp", "audio/wav"})
_COMPRESSED_DOCUMENTS = (
    "application/pdf",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.",
    "application/vnd.oasis.opendocument.",
)
# Names Windows will not create, whatever the suffix ("con.txt" included).
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{port}{n}" for port in ("COM", "LPT") for n in range(1, 10)}
)
_NOT_IN_NAMES = re.compile(r'[<>:"/\\|?*]')


def generator() -> dict[str, str]:
    """Which program wrote an export, so a reader can tell which rules it was written under."""
    return {"name": "evidence-portfolio", "version": importlib.metadata.version("evidence-portfolio")}


def safe_name(name: str) -> str:
    """One path part that Windows, macOS and Linux all accept, from a name a person typed.

    Keeps the last path part only, drops control and format characters, replaces the characters Windows
    forbids, never starts with a dot (hidden) nor ends with a dot or space, avoids device names (CON, NUL, …)
    and caps the length, keeping the suffix.
    """
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    kept = []
    for char in name:
        category = unicodedata.category(char)
        if category.startswith("Z") or char in "\t\n\r\v\f":
            kept.append(" ")
        elif category not in {"Cc", "Cf", "Cs", "Co", "Cn"}:
            kept.append(char)
    name = _NOT_IN_NAMES.sub("_", "".join(kept))
    name = " ".join(name.split()).strip(" .")
    if name.split(".", 1)[0].rstrip(" ").upper() in _WINDOWS_DEVICES:
        name = f"_{name}"
    if len(name) > MAX_NAME_LENGTH:
        stem, suffix = _split_suffix(name)
        name = f"{stem[: MAX_NAME_LENGTH - len(suffix)].rstrip(' .')}{suffix}"
    return name or UNNAMED


def _split_suffix(name: str) -> tuple[str, str]:
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and 0 < len(suffix) <= 16 and suffix.isalnum():
        return stem, f".{suffix}"
    return name, ""


def _slug(text: str) -> str:
    """For names of our own making, such as a learner's ZIP."""
    return ascii_slug(text, lower=True)[:60].strip("-") or "learner"


class _Paths:
    """The paths taken in one archive, compared as case-insensitive file systems (Windows, macOS) compare them;
    a name already taken in a folder gets " (2)", " (3)", … before its suffix."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def reserve(self, path: str) -> None:
        self._taken.add(path.casefold())

    def claim(self, folder: str, name: str) -> str:
        stem, suffix = _split_suffix(name)
        candidate, n = name, 2
        while f"{folder}/{candidate}".casefold() in self._taken:
            candidate, n = f"{stem} ({n}){suffix}", n + 1
        path = f"{folder}/{candidate}"
        self.reserve(path)
        return path


@dataclass(frozen=True)
class _Written:
    """A member written to an archive: its path, and the size and SHA-256 of the bytes written."""

    path: str
    size: int
    sha256: str

    def as_manifest(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


def _compress(content_type: str) -> bool:
    if content_type.startswith(("image/", "audio/", "video/")):
        return content_type in _UNCOMPRESSED_MEDIA
    return not content_type.startswith(_COMPRESSED_DOCUMENTS)


def hash_stream(source: IO[bytes], copy_to: IO[bytes] | None = None) -> tuple[int, str]:
    """Read `source` to its end in chunks, copying them to `copy_to` if given: its size and SHA-256, without
    holding a 1 GiB file in memory."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK_SIZE):
        digest.update(chunk)
        size += len(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return size, digest.hexdigest()


def _copy_into(
    archive: ZipFile, path: str, source: IO[bytes], *, size: int, compress: bool, when: datetime
) -> _Written:
    """Stream `source` into the archive in chunks, hashing the bytes on the way."""
    info = ZipInfo(path, date_time=timezone.localtime(when).timetuple()[:6])
    info.compress_type = ZIP_DEFLATED if compress else ZIP_STORED
    info.external_attr = 0o644 << 16
    info.file_size = size  # the expected size lets zipfile choose ZIP64 before a large member is written
    with archive.open(info, "w") as member:
        written, sha256 = hash_stream(source, member)
    return _Written(path=path, size=written, sha256=sha256)


def _write_bytes(archive: ZipFile, path: str, data: bytes, *, compress: bool, when: datetime) -> _Written:
    return _copy_into(archive, path, io.BytesIO(data), size=len(data), compress=compress, when=when)


def _write_manifest(
    archive: ZipFile, manifest: dict[str, Any], *, centre_id: int | None, when: datetime
) -> None:
    """manifest.json, then manifest.sha256 in `sha256sum` format, so `sha256sum -c` checks an unzipped copy, and
    manifest.sig, the centre's signature of the manifest, which nobody without the centre's key can remake."""
    data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
    written = _write_bytes(archive, MANIFEST, data, compress=True, when=when)
    _write_bytes(
        archive, MANIFEST_DIGEST, f"{written.sha256}  {MANIFEST}\n".encode(), compress=True, when=when
    )
    _write_bytes(archive, SIGNATURE, signature_file(data, centre_id=centre_id), compress=True, when=when)


def _versions(files: Iterable[EvidenceFile]) -> dict[int, int]:
    """Each file's version number in its chain of replacements: 1 for the first upload."""
    by_pk = {f.pk: f for f in files}
    numbers: dict[int, int] = {}

    def number(evidence_file: EvidenceFile) -> int:
        if evidence_file.pk not in numbers:
            earlier = by_pk.get(evidence_file.replaces_id) if evidence_file.replaces_id else None
            numbers[evidence_file.pk] = 1 + (number(earlier) if earlier else 0)
        return numbers[evidence_file.pk]

    for evidence_file in by_pk.values():
        number(evidence_file)
    return numbers


def _write_evidence_files(
    archive: ZipFile, paths: _Paths, evidence: Evidence, written: list[_Written], *, learner: User
) -> list[dict[str, Any]]:
    """Copy one piece's files (current ones in its folder, earlier ones below) and describe each; a file missing
    from storage stops the export, naming whose evidence it is, rather than leave a gap."""
    folder = f"evidence/{evidence.reference}"
    paths.reserve(f"{folder}/{EARLIER_VERSIONS}")
    files = list(evidence.files.all())
    versions = _versions(files)
    placed: dict[int, str] = {}
    for evidence_file in sorted(files, key=lambda f: (not f.is_current, f.uploaded_at, f.pk)):
        name = safe_name(named_for_type(evidence_file.original_name, evidence_file.content_type))
        if evidence_file.is_current:
            placed[evidence_file.pk] = paths.claim(folder, name)
        else:
            stem, suffix = _split_suffix(name)
            version_name = f"{stem} (version {versions[evidence_file.pk]}){suffix}"
            placed[evidence_file.pk] = paths.claim(f"{folder}/{EARLIER_VERSIONS}", version_name)
    described = []
    for evidence_file in files:
        stored = evidence_file.file
        try:
            # The field is required, so every evidence file has a stored name; the stubs allow None.
            source = stored.storage.open(cast(str, stored.name), "rb")
        except FileNotFoundError as error:
            raise FileNotFoundError(
                errno.ENOENT,
                "A stored evidence file is missing",
                f"{learner.full_name}'s {evidence.reference} “{evidence_file.original_name}” ({stored.name})",
            ) from error
        with source:
            copy = _copy_into(
                archive,
                placed[evidence_file.pk],
                source,
                size=evidence_file.size,
                compress=_compress(evidence_file.content_type),
                when=evidence_file.uploaded_at,
            )
        written.append(copy)
        described.append(
            {
                "path": copy.path,
                "original_name": evidence_file.original_name,
                "size": copy.size,
                "content_type": evidence_file.content_type,
                "sha256": copy.sha256,
                "sha256_at_upload": evidence_file.sha256,
                "uploaded_at": sections.iso(evidence_file.uploaded_at),
                "uploaded_by": sections.person(evidence_file.uploaded_by),
                "current": evidence_file.is_current,
                "version": versions[evidence_file.pk],
                "replaces": placed.get(evidence_file.replaces_id) if evidence_file.replaces_id else None,
            }
        )
    return described


def _write_learner_export(*, enrolment: Enrolment, out: IO[bytes]) -> Enrolment:
    """Write the learner's ZIP; return the enrolment as loaded, with its centre and learner."""
    generated_at = timezone.now()
    portfolio = sections.load_portfolio(enrolment)
    enrolment = portfolio.enrolment
    paths = _Paths()
    paths.reserve(MANIFEST)
    paths.reserve(MANIFEST_DIGEST)
    paths.reserve(SIGNATURE)
    written: list[_Written] = []
    with ZipFile(out, "w", allowZip64=True) as archive:
        specifications = []
        for specification in portfolio.specifications:
            record = _write_bytes(
                archive,
                paths.claim(
                    "records",
                    completion_record_filename(enrolment=enrolment, specification=specification),
                ),
                completion_record_pdf(enrolment=enrolment, specification=specification),
                compress=False,
                when=generated_at,
            )
            written.append(record)
            specifications.append(
                {
                    "kind": specification.kind,
                    "code": specification.code,
                    "title": specification.title,
                    "version": specification.version,
                    "content_digest": specification.content_digest,
                    "record": {"path": record.path, "sha256": record.sha256},
                }
            )
        evidence = [
            sections.evidence(
                piece, _write_evidence_files(archive, paths, piece, written, learner=enrolment.learner)
            )
            for piece in portfolio.evidence
        ]
        manifest = {
            "format": FORMAT,
            "generated_at": sections.iso(generated_at),
            "generator": generator(),
            "centre": {
                "id": enrolment.centre_id,
                "code": enrolment.centre.code,
                "name": enrolment.centre.name,
            },
            "learner": sections.person(enrolment.learner),
            "enrolment": {
                "id": enrolment.pk,
                "assessor": sections.person(enrolment.assessor),
                "internal_verifier": sections.person(enrolment.internal_verifier),
                "start_date": sections.iso(enrolment.start_date),
                "status": enrolment.status,
                "group": enrolment.group,
            },
            "specifications": specifications,
            "evidence": evidence,
            "signatures": [sections.signature(s) for s in portfolio.signatures],
            "samples": [sections.sample(s) for s in portfolio.samples],
            "files": [w.as_manifest() for w in written],
        }
        _write_manifest(archive, manifest, centre_id=enrolment.centre_id, when=generated_at)
    return enrolment


def write_learner_export(*, enrolment: Enrolment, out: IO[bytes]) -> None:
    """Write one learner's portfolio as a ZIP to `out`: what an EQA, an awarding body or the learner takes away,
    checkable without the app (`verify_export`)."""
    _write_learner_export(enrolment=enrolment, out=out)


def write_cohort_export(
    *,
    enrolments: Sequence[Enrolment],
    out: IO[bytes],
    on_progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write one ZIP of learner ZIPs, each as `write_learner_export` makes it, with a manifest of their hashes;
    a learner's ZIP is spooled through a temporary file, so memory stays small whatever the cohort's size."""
    generated_at = timezone.now()
    paths = _Paths()
    paths.reserve(MANIFEST)
    paths.reserve(MANIFEST_DIGEST)
    paths.reserve(SIGNATURE)
    centres: dict[int, dict[str, Any]] = {}
    learners = []
    with ZipFile(out, "w", allowZip64=True) as archive:
        for done, enrolment in enumerate(enrolments, start=1):
            with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
                loaded = _write_learner_export(enrolment=enrolment, out=spool)
                size = spool.tell()
                spool.seek(0)
                name = f"{_slug(loaded.learner.full_name)}-{loaded.pk}.zip"
                copy = _copy_into(
                    archive,
                    paths.claim("learners", name),
                    spool,
                    size=size,
                    compress=False,
                    when=generated_at,
                )
            centres.setdefault(
                loaded.centre_id,
                {"id": loaded.centre_id, "code": loaded.centre.code, "name": loaded.centre.name},
            )
            learners.append(
                {
                    **copy.as_manifest(),
                    "learner": sections.person(loaded.learner),
                    "enrolment": loaded.pk,
                    "centre": loaded.centre.code,
                }
            )
            if on_progress is not None:
                on_progress(done, len(enrolments))
        manifest = {
            "format": COHORT_FORMAT,
            "generated_at": sections.iso(generated_at),
            "generator": generator(),
            "centres": list(centres.values()),
            "learners": learners,
        }
        # One centre's cohort is signed with that centre's key; anything else with the site's own.
        _write_manifest(
            archive, manifest, centre_id=next(iter(centres)) if len(centres) == 1 else None, when=generated_at
        )
