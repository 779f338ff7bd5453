"""Receiving evidence files: streamed to a temporary file in chunks, never read whole into memory.

While the chunks arrive, `EvidenceUploadHandler` counts the bytes (and stops a file the moment it passes the
limit), computes the SHA-256 and sniffs the type from the first bytes; when the file is complete the type is
sniffed again from the file itself (libmagic reads what it needs, e.g. an Office 97 file's directory) and must be
in the allow-list. A refused file is dropped, its temporary file removed, and a problem recorded for the view.

Set the handler for one view only (`request.upload_handlers = [EvidenceUploadHandler(request)]`, before the body is
read, so under `csrf_exempt` with the CSRF check made afterwards); `FILE_UPLOAD_HANDLERS` stays Django's.
Settings: `EVIDENCE_MAX_UPLOAD_BYTES`, `EVIDENCE_ALLOWED_TYPES`, `FILE_UPLOAD_TEMP_DIR`.
"""

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat

from portfolio.containers import container_problem
from portfolio.file_types import (
    OCTET_STREAM,
    SNIFF_HEAD_BYTES,
    UNDECIDED_BY_HEAD,
    allowed_types,
    display_name,
    max_upload_bytes,
    not_allowed_message,
    sniff_bytes,
    sniff_path,
)
from portfolio.services import PortfolioError


class UploadRefused(PortfolioError):
    """A file that is not stored: empty, too big, or of a type that is not allowed."""


@dataclass(frozen=True)
class UploadProblem:
    """A file the handler refused, with the message to show the learner."""

    name: str
    message: str


class Inspection:
    """Follows one file's bytes as they stream past: size within the limit, SHA-256, type from the first bytes."""

    def __init__(self, name: str, *, max_bytes: int, allowed: frozenset[str]) -> None:
        self.name = name
        self.max_bytes = max_bytes
        self.allowed = allowed
        self.size = 0
        self._digest = hashlib.sha256()
        self._head = bytearray()
        self._head_checked = False

    def feed(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise UploadRefused(
                f"“{self.name}” was not uploaded: it is larger than the {filesizeformat(self.max_bytes)} limit "
                "for one file. Make it smaller (for a video, a shorter clip or a lower quality) or split it, "
                "then upload it again."
            )
        self._digest.update(chunk)
        if not self._head_checked:
            self._head += chunk[: SNIFF_HEAD_BYTES - len(self._head)]
            if len(self._head) >= SNIFF_HEAD_BYTES:
                self._check_head()

    def _check_head(self) -> None:
        """Refuse early what the first bytes already settle (a program named .pdf), before storing the rest."""
        self._head_checked = True
        content_type = sniff_bytes(bytes(self._head))
        self._head = bytearray()
        undecided = content_type in UNDECIDED_BY_HEAD or content_type.startswith("text/")
        if not undecided and content_type not in self.allowed:
            raise UploadRefused(not_allowed_message(self.name, content_type, self.allowed))

    def finish(self, path: str) -> str:
        """The sniffed type of the complete file at `path`, if it may be kept."""
        if self.size == 0:
            raise UploadRefused(
                f"“{self.name}” was not uploaded: it is empty (0 bytes). Check that it opens on your device, "
                "then choose it again."
            )
        content_type = sniff_path(path)
        if content_type not in self.allowed:
            raise UploadRefused(not_allowed_message(self.name, content_type, self.allowed))
        if problem := container_problem(self.name, path, content_type):
            raise UploadRefused(problem)
        return content_type

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()


class CheckedUpload(TemporaryUploadedFile):
    """A received file in a temporary file of its own: size, SHA-256 and sniffed `content_type` are known.

    `name` and `display_name` are the cleaned uploaded name (for display only); the browser's claimed type is
    kept as `claimed_content_type` and never trusted.
    """

    # Never None here, unlike UploadedFile's: set to 0 and OCTET_STREAM on creation, then by `complete`.
    size: int
    content_type: str

    def __init__(self, *, name: str, claimed_content_type: str = "", charset: str | None = None) -> None:
        # Not TemporaryUploadedFile.__init__: that builds the temporary file's name from the uploaded one.
        temporary = tempfile.NamedTemporaryFile(suffix=".upload", dir=settings.FILE_UPLOAD_TEMP_DIR)  # noqa: SIM115
        UploadedFile.__init__(self, temporary, name, OCTET_STREAM, 0, charset)
        self.display_name = name
        self.claimed_content_type = claimed_content_type
        self.sha256 = ""

    def discard(self) -> None:
        """Close and remove the temporary file (a refused or interrupted upload leaves nothing behind)."""
        path = self.temporary_file_path()
        self.close()
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)

    def complete(self, inspection: Inspection) -> "CheckedUpload":
        """The file once its last byte is in: typed by a sniff of the whole file (or refused), rewound to store."""
        self.flush()
        content_type = inspection.finish(self.temporary_file_path())
        self.seek(0)
        self.size = inspection.size
        self.sha256 = inspection.sha256
        self.content_type = content_type
        return self


def check_file(
    source: IO[bytes],
    *,
    name: str,
    max_bytes: int | None = None,
    allowed: frozenset[str] | None = None,
    chunk_size: int = 1024 * 1024,
) -> CheckedUpload:
    """Put any readable file through the same checks as an upload (for commands, imports and tests)."""
    upload = CheckedUpload(name=display_name(name))
    inspection = Inspection(
        upload.display_name,
        max_bytes=max_upload_bytes() if max_bytes is None else max_bytes,
        allowed=allowed_types() if allowed is None else allowed,
    )
    try:
        while chunk := source.read(chunk_size):
            inspection.feed(chunk)
            upload.write(chunk)
        return upload.complete(inspection)
    except BaseException:
        upload.discard()
        raise


class EvidenceUploadHandler(TemporaryFileUploadHandler):
    """Streams each file to a temporary file, checking it as it comes; refused files end up in `problems`."""

    # Larger than Django's 64 KiB: fewer trips through the parser per GiB, still a small, fixed amount of memory.
    chunk_size = 1024 * 1024
    # The file being received and what is known of it so far, both set by `new_file` before any chunk arrives.
    file: CheckedUpload
    inspection: Inspection

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.max_bytes = max_upload_bytes()
        self.allowed = allowed_types()
        self.problems: list[UploadProblem] = []

    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, bytes] | None = None,
    ) -> None:
        # The base class's new_file (not TemporaryFileUploadHandler's, which names the temporary file after
        # the uploaded one).
        super(TemporaryFileUploadHandler, self).new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        name = display_name(file_name)
        self.file = CheckedUpload(name=name, claimed_content_type=content_type, charset=charset)
        self.inspection = Inspection(name, max_bytes=self.max_bytes, allowed=self.allowed)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        try:
            self.inspection.feed(raw_data)
        except UploadRefused as refusal:
            self._refuse(refusal)
            raise SkipFile from refusal  # Django reads past the rest of this file without storing it
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> CheckedUpload | None:
        try:
            return self.file.complete(self.inspection)
        except UploadRefused as refusal:
            self._refuse(refusal)
            return None

    def upload_interrupted(self) -> None:
        if hasattr(self, "file"):
            self.file.discard()

    def _refuse(self, refusal: UploadRefused) -> None:
        """Keep the reason for the view and drop what arrived of the file."""
        self.problems.append(UploadProblem(name=self.inspection.name, message=str(refusal)))
        self.file.discard()
