"""Stored files over HTTP: streamed in blocks, whole or by byte range, from local disk or from S3.

A browser seeks in a video or audio file by asking for a byte range (`Range: bytes=1000000-`); the answer is 206
with `Content-Range`, so a 300 MB video starts playing at any point without downloading what comes before. On S3
the range is passed through to GetObject and the app streams what S3 sends: access is checked on every request
(the views call `read_or_404` first) and the app's own headers (CSP, nosniff, no caching) apply, which a
redirect to a bucket URL would lose.

One range per request: a request for several (`bytes=0-1,5-6`, which no player sends) gets the whole file, as
RFC 9110 allows. `If-Range` is honoured with the file's strong ETag (its SHA-256): a client resuming a file that
has changed gets the whole new file, never a splice of two. A range that starts past the end is answered 416.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.files.storage import Storage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.http import content_disposition_header

BLOCK_SIZE = 1024 * 1024
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass(frozen=True)
class ByteRange:
    """Bytes `start` to `end` of a file of `size` bytes, both ends included (as in `Content-Range`)."""

    start: int
    end: int
    size: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    @property
    def content_range(self) -> str:
        return f"bytes {self.start}-{self.end}/{self.size}"


class Stored(Protocol):
    """What is served: a name in a storage (a model's FieldFile, or a `StoredName`)."""

    @property
    def name(self) -> str | None: ...

    @property
    def storage(self) -> Storage: ...


@dataclass(frozen=True)
class StoredName:
    """A file kept in storage under a name of our making, with no model field (a preview, a cached record)."""

    name: str
    storage: Storage


class Unsatisfiable(Exception):
    """A range that lies wholly past the end of the file: answered 416."""


def _parse(header: str, size: int) -> ByteRange | None:
    """The one range a `Range` header asks for; None to send the whole file (no header, several ranges, or
    syntax this does not understand, which RFC 9110 says to ignore)."""
    match = RANGE.match(header.strip().replace(" ", ""))
    if match is None:
        return None
    first, last = match.groups()
    if not first:  # the last N bytes
        if not last:
            return None
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(0, size - suffix), size - 1, size)
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise Unsatisfiable
    end = min(int(last), size - 1) if last else size - 1
    return ByteRange(start, end, size)


def requested_range(request: HttpRequest, *, size: int, etag: str) -> ByteRange | None:
    """The range to send, None for the whole file; raises Unsatisfiable for a range past the end."""
    header = request.headers.get("Range")
    if not header or request.method not in ("GET", "HEAD"):
        return None
    if_range = request.headers.get("If-Range")
    # Only a strong ETag matches (a date, or a weak tag, never does: we send no Last-Modified).
    if if_range is not None and (not etag or if_range.strip() != etag):
        return None
    return _parse(header, size)


def _local_blocks(storage: Storage, name: str, start: int, length: int) -> Iterator[bytes]:
    with storage.open(name, "rb") as handle:
        handle.seek(start)
        while length > 0:
            block = handle.read(min(BLOCK_SIZE, length))
            if not block:
                return
            length -= len(block)
            yield block


def _is_s3(storage: Storage) -> bool:
    return hasattr(storage, "bucket") and hasattr(storage, "connection")


def _s3_blocks(storage: Any, name: str, start: int, length: int) -> Iterator[bytes]:
    """The bytes straight from S3's GetObject with the range passed through: nothing spooled to disk or memory."""
    from botocore.exceptions import ClientError  # only with the s3 extra installed

    s3_object = storage.open(name, "rb").obj  # the object, not yet read: S3File downloads only when read
    try:
        body = s3_object.get(Range=f"bytes={start}-{start + length - 1}")["Body"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            raise FileNotFoundError(name) from error
        raise
    return _drain(body)


def _drain(body: Any) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(BLOCK_SIZE)
    finally:
        body.close()


def _blocks(storage: Storage, name: str, start: int, length: int) -> Iterator[bytes]:
    """The bytes `start` to `start + length` of a stored file, in blocks; FileNotFoundError if it is gone."""
    if length == 0:
        storage.open(name, "rb").close()  # a missing empty file is still missing
        return iter(())
    if _is_s3(storage):
        return _s3_blocks(storage, name, start, length)
    blocks = _local_blocks(storage, name, start, length)
    first = next(blocks, b"")  # opens the file now, so a missing one is a 404, not a broken stream
    return _chain(first, blocks)


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from rest


def stored_file_response(
    request: HttpRequest,
    stored: Stored,
    *,
    filename: str,
    content_type: str,
    etag: str = "",
    size: int | None = None,
    inline: bool = False,
    cache_control: str = "private, no-cache",
) -> HttpResponseBase:
    """Stored bytes under `filename`, whole (200) or the range asked for (206), with a type the browser must not
    second-guess; 416 for a range past the end, 404 if storage has lost the file. `etag` (quoted, strong: a
    SHA-256 of the content) lets a client resume with `If-Range`; `size`, when the caller knows it, saves asking
    storage. Callers check permissions first."""
    if not stored.name:
        raise Http404("No file is stored")
    storage, name = stored.storage, stored.name
    try:
        total = storage.size(name) if size is None else size
        wanted = requested_range(request, size=total, etag=etag)
    except FileNotFoundError:
        raise Http404("The stored file is missing") from None
    except Unsatisfiable:
        refusal = HttpResponse(status=416)
        refusal["Content-Range"] = f"bytes */{total}"
        refusal["Accept-Ranges"] = "bytes"
        return refusal
    start, length = (wanted.start, wanted.length) if wanted else (0, total)
    try:
        blocks = _blocks(storage, name, start, length)
    except FileNotFoundError:
        raise Http404("The stored file is missing") from None
    response = StreamingHttpResponse(blocks, content_type=content_type, status=206 if wanted else 200)
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if wanted:
        response["Content-Range"] = wanted.content_range
    if etag:
        response["ETag"] = etag
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=not inline, filename=filename) or ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache_control
    return response


def strong_etag(sha256: str) -> str:
    """The ETag of content known by its SHA-256: the same bytes, the same tag."""
    return f'"{sha256}"' if sha256 else ""
