"""What evidence files may be: the allowed types (sniffed from the content, never from the name), their names for
people, and safe display names. `portfolio.uploads` checks each file against these as it streams in.

Settings: `EVIDENCE_MAX_UPLOAD_BYTES`, `EVIDENCE_ALLOWED_TYPES`.
"""

import importlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType

import filetype
from django.conf import settings

magic: ModuleType | None
try:
    magic = importlib.import_module("magic")
except ImportError:  # python-magic is installed but libmagic is not: fall back to `filetype`
    magic = None

OCTET_STREAM = "application/octet-stream"
# Enough for libmagic to tell every allowed type apart from its start, except containers (ZIP, OLE2, text).
SNIFF_HEAD_BYTES = 64 * 1024
# Types whose first bytes do not settle the question (an Office file is a ZIP or OLE2 container; text is
# classified on more of it): only the whole-file sniff at the end decides these.
UNDECIDED_BY_HEAD = {
    OCTET_STREAM,
    "application/zip",
    "application/x-ole-storage",
    "application/CDFV2",
    "application/vnd.ms-office",
}
MAX_NAME_LENGTH = 200
MAX_SUFFIX_LENGTH = 16
UNNAMED = "unnamed file"

# Different names the sniffers give the same type, mapped to the one the allow-list uses.
ALIASES = {
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/x-m4a": "audio/mp4",
    "audio/x-hx-aac-adts": "audio/aac",
    "audio/x-aac": "audio/aac",
    "text/rtf": "application/rtf",
    "application/csv": "text/csv",
    "image/heic-sequence": "image/heic",
    "image/heif-sequence": "image/heif",
    "application/x-dosexec": "application/vnd.microsoft.portable-executable",
    "application/x-msdownload": "application/vnd.microsoft.portable-executable",
}


@dataclass(frozen=True)
class FileKind:
    label: str
    family: str  # documents, images, audio, video, or "" for types never allowed by default
    suffix: str
    short: str = ""  # its name in the summary of what may be uploaded, if not `label` ("Word" for both kinds)


_OOXML = "application/vnd.openxmlformats-officedocument"
_ODF = "application/vnd.oasis.opendocument"
KINDS = {
    "application/pdf": FileKind("PDF", "documents", ".pdf"),
    "application/msword": FileKind("Word 97-2003", "documents", ".doc", "Word"),
    f"{_OOXML}.wordprocessingml.document": FileKind("Word", "documents", ".docx"),
    "application/vnd.ms-excel": FileKind("Excel 97-2003", "documents", ".xls", "Excel"),
    f"{_OOXML}.spreadsheetml.sheet": FileKind("Excel", "documents", ".xlsx"),
    "application/vnd.ms-powerpoint": FileKind("PowerPoint 97-2003", "documents", ".ppt", "PowerPoint"),
    f"{_OOXML}.presentationml.presentation": FileKind("PowerPoint", "documents", ".pptx"),
    f"{_ODF}.text": FileKind("OpenDocument text", "documents", ".odt", "OpenDocument"),
    f"{_ODF}.spreadsheet": FileKind("OpenDocument spreadsheet", "documents", ".ods", "OpenDocument"),
    f"{_ODF}.presentation": FileKind("OpenDocument presentation", "documents", ".odp", "OpenDocument"),
    "application/rtf": FileKind("RTF", "documents", ".rtf"),
    "text/plain": FileKind("plain text", "documents", ".txt"),
    "text/csv": FileKind("CSV", "documents", ".csv"),
    "image/jpeg": FileKind("JPEG", "images", ".jpg"),
    "image/png": FileKind("PNG", "images", ".png"),
    "image/gif": FileKind("GIF", "images", ".gif"),
    "image/webp": FileKind("WebP", "images", ".webp"),
    "image/heic": FileKind("HEIC", "images", ".heic", "HEIC/HEIF"),
    "image/heif": FileKind("HEIF", "images", ".heif", "HEIC/HEIF"),
    "image/tiff": FileKind("TIFF", "images", ".tif"),
    "audio/mpeg": FileKind("MP3", "audio", ".mp3"),
    "audio/mp4": FileKind("M4A", "audio", ".m4a"),
    "audio/aac": FileKind("AAC", "audio", ".aac"),
    "audio/wav": FileKind("WAV", "audio", ".wav"),
    "audio/ogg": FileKind("Ogg/Opus", "audio", ".ogg"),
    "video/mp4": FileKind("MP4", "video", ".mp4"),
    "video/quicktime": FileKind("QuickTime", "video", ".mov", "MOV"),
    "video/webm": FileKind("WebM", "video", ".webm"),
    "video/3gpp": FileKind("3GP", "video", ".3gp"),
    # Never allowed by default; named so that a refusal says what the file really is.
    "application/vnd.microsoft.portable-executable": FileKind("a Windows program", "", ".exe"),
    "application/x-executable": FileKind("a program", "", ""),
    "application/zip": FileKind("a ZIP archive", "", ".zip"),
    "application/x-ole-storage": FileKind("an unrecognised Office 97-2003 or other OLE file", "", ""),
    "text/html": FileKind("a web page", "", ".html"),
    "image/svg+xml": FileKind("an SVG drawing", "", ".svg"),
    OCTET_STREAM: FileKind("not a type we recognise", "", ""),
}
FAMILY_ORDER = ("documents", "images", "audio", "video")
INLINE_PREFIXES = ("image/", "audio/", "video/")


def allowed_types() -> frozenset[str]:
    return frozenset(normalise_type(name) for name in settings.EVIDENCE_ALLOWED_TYPES)


def max_upload_bytes() -> int:
    return settings.EVIDENCE_MAX_UPLOAD_BYTES


def normalise_type(content_type: str) -> str:
    """The allow-list's name for a type: lower case, no parameters, sniffers' aliases resolved."""
    bare = content_type.split(";", 1)[0].strip()
    bare = bare if bare == "application/CDFV2" else bare.lower()
    return ALIASES.get(bare, bare)


def describe_type(content_type: str) -> str:
    """A short name a person recognises ("PDF", "HEIC"), or the MIME type itself."""
    kind = KINDS.get(content_type)
    return kind.label if kind else content_type


# Images browsers cannot show: they are shown through a JPEG preview (`portfolio.previews`) instead.
NOT_SHOWN_BY_BROWSERS = frozenset({"image/heic", "image/heif", "image/tiff"})


def may_show_inline(content_type: str) -> bool:
    """Images, PDFs, audio and video open in the browser; everything else (HEIC and TIFF too) downloads."""
    return (
        content_type in allowed_types()
        and content_type not in NOT_SHOWN_BY_BROWSERS
        and (content_type == "application/pdf" or content_type.startswith(INLINE_PREFIXES))
    )


def allowed_summary(allowed: Iterable[str] | None = None) -> str:
    """What may be uploaded, grouped for people: "documents (PDF, Word, …), images (…), audio (…) and video (…)"."""
    allowed = sorted(allowed_types() if allowed is None else allowed)
    groups = [group for family in FAMILY_ORDER if (group := _family_summary(family, allowed))]
    others = [t for t in allowed if t not in KINDS or not KINDS[t].family]
    if others:
        groups.append(", ".join(others))
    return groups[0] if len(groups) == 1 else f"{', '.join(groups[:-1])} and {groups[-1]}"


def _family_summary(family: str, allowed: list[str]) -> str:
    """One family's part of the summary, "images (JPEG, PNG, …)", each short name once; "" if none is allowed."""
    labels = dict.fromkeys(
        kind.short or kind.label for t, kind in KINDS.items() if kind.family == family and t in allowed
    )
    return f"{family} ({', '.join(labels)})" if labels else ""


_MORE_SUFFIXES = (
    ("image/jpeg", ".jpeg"),
    ("image/tiff", ".tiff"),
    ("audio/ogg", ".opus"),
    ("audio/ogg", ".oga"),
)


def accept_attribute(allowed: Iterable[str] | None = None) -> str:
    """The file input's `accept`: types and suffixes, so phones offer the right files (the server still checks)."""
    allowed = sorted(allowed_types() if allowed is None else allowed)
    suffixes = [KINDS[t].suffix for t in allowed if t in KINDS and KINDS[t].suffix]
    extra = [suffix for t, suffix in _MORE_SUFFIXES if t in allowed]
    return ",".join([*allowed, *suffixes, *extra])


def storage_suffix(content_type: str) -> str:
    """The stored file's suffix, from its sniffed type: the uploaded name never reaches a storage path."""
    kind = KINDS.get(content_type)
    return kind.suffix if kind and kind.family else ""


_PATH_SEPARATORS = re.compile(r"[/\\]")
_RESERVED = re.compile(r'[<>:"|?*]')


def display_name(raw: str) -> str:
    """The uploaded name made safe to show and to offer on download; it is never used as a path.

    Keeps the last path part only, drops control and format characters (NUL, newlines, bidi overrides that
    disguise "exe.pdf"), replaces characters Windows forbids in names, and caps the length, keeping the suffix.
    """
    name = unicodedata.normalize("NFC", raw)
    name = _PATH_SEPARATORS.split(name)[-1]
    kept = []
    for char in name:
        category = unicodedata.category(char)
        if category in {"Zs", "Zl", "Zp"} or char in "\t\n\r\v\f":
            kept.append(" ")
        elif category not in {"Cc", "Cf", "Cs"}:
            kept.append(char)
    name = _RESERVED.sub("_", "".join(kept))
    name = " ".join(name.split()).strip(" .")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, suffix = name.rpartition(".")
        if dot and stem and 0 < len(suffix) <= MAX_SUFFIX_LENGTH:
            name = f"{stem[: MAX_NAME_LENGTH - len(suffix) - 1].rstrip(' .')}.{suffix}"
        else:
            name = name[:MAX_NAME_LENGTH].rstrip(" .")
    return name or UNNAMED


# Suffixes that name a type as well as its usual one (text is text, whatever the notes are called).
_ALSO_NAMED = {
    "image/jpeg": {".jpeg", ".jpe"},
    "image/tiff": {".tiff"},
    "audio/ogg": {".opus", ".oga"},
    "audio/mp4": {".mp4", ".aac"},
    "video/mp4": {".m4v"},
    "video/3gpp": {".3gpp"},
    "text/plain": {".text", ".md", ".log", ".csv"},
    "text/csv": {".txt"},
}
_SUFFIX_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9]{0,5}")


def named_for_type(name: str, content_type: str) -> str:
    """The name with a suffix that matches the sniffed type, so that it opens as what it is: "report.html" holding
    a PDF becomes "report.pdf", and "invoice\u202egpj.exe" (shown as "invoiceexe.jpg"; `display_name` drops the
    override) becomes "invoicegpj.pdf". A suffix the type goes by is kept; one that is not is replaced, and a name
    without one gains it."""
    kind = KINDS.get(content_type)
    if kind is None or not kind.suffix or not kind.family:
        return name
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and f".{suffix.lower()}" in {kind.suffix, *_ALSO_NAMED.get(content_type, ())}:
        return name
    if not (dot and stem and _SUFFIX_LIKE.fullmatch(suffix)):
        stem = name
    return f"{stem[: MAX_NAME_LENGTH - len(kind.suffix)].rstrip(' .') or UNNAMED}{kind.suffix}"


def _looks_like_text(head: bytes) -> bool:
    """The fallback sniffer's test for plain text: UTF-8 (a cut-off last character allowed), no control bytes."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:
            return False
        text = head[: error.start].decode("utf-8")
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text)


def sniff_bytes(head: bytes) -> str:
    """The type the content's first bytes show (libmagic; `filetype` if libmagic is missing)."""
    if magic is not None:
        try:
            found = magic.from_buffer(head, mime=True)
        except magic.MagicException:  # libmagic gave up on it: treated as unrecognised, so refused
            found = OCTET_STREAM
    else:
        found = filetype.guess_mime(head) or ("text/plain" if _looks_like_text(head) else OCTET_STREAM)
    return normalise_type(found or OCTET_STREAM)


def sniff_path(path: str) -> str:
    """The type of a complete file on local disk; libmagic reads what it needs (at most a few MiB)."""
    if magic is not None:
        try:
            return normalise_type(magic.from_file(path, mime=True) or OCTET_STREAM)
        except magic.MagicException:
            return OCTET_STREAM
    with open(path, "rb") as file:
        return sniff_bytes(file.read(SNIFF_HEAD_BYTES))


def not_allowed_message(name: str, content_type: str, allowed: frozenset[str]) -> str:
    if content_type == OCTET_STREAM:
        what = "not a type we recognise"
    elif content_type in KINDS:
        what = KINDS[content_type].label  # in words: a learner is not asked to read MIME types
    else:
        what = f"a kind of file we do not accept (technically {content_type})"
    return (
        f"“{name}” was not uploaded: its content is {what}, whatever its name says. "
        f"You can upload {allowed_summary(allowed)}."
    )
