"""Office and OpenDocument files are ZIP containers: one that claims to unpack to far more than it holds (a "zip
bomb") would exhaust the memory or disk of whoever opens it, a reviewer's computer or a converter. Only the
container's own directory is read (the sizes it declares); nothing is unpacked.

Settings: `EVIDENCE_MAX_UNPACKED_BYTES`, `EVIDENCE_MAX_PACK_RATIO`.
"""

import zipfile

from django.conf import settings
from django.template.defaultfilters import filesizeformat

_OOXML = "application/vnd.openxmlformats-officedocument"
_ODF = "application/vnd.oasis.opendocument"
# A ratio this high is normal for a small file; it matters once the unpacked size is large.
RATIO_APPLIES_ABOVE = 16 * 1024 * 1024
MAX_MEMBERS = 10_000


def is_container(content_type: str) -> bool:
    return content_type.startswith((_OOXML, _ODF))


def container_problem(name: str, path: str, content_type: str) -> str:
    """Why the container at `path` is refused, in words for the learner; "" if it may be kept."""
    if not is_container(content_type):
        return ""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return f"“{name}” was not uploaded: the file is damaged (its contents cannot be listed). Save it again, then upload it."
    size = max(sum(member.compress_size for member in members), 1)
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_MEMBERS or unpacked > settings.EVIDENCE_MAX_UNPACKED_BYTES:
        return (
            f"“{name}” was not uploaded: it says it unpacks to {filesizeformat(unpacked)} in {len(members)} parts, "
            f"more than a document can reasonably hold (at most {filesizeformat(settings.EVIDENCE_MAX_UNPACKED_BYTES)}). "
            "Save it again from the program that made it, or as a PDF."
        )
    if unpacked > RATIO_APPLIES_ABOVE and unpacked / size > settings.EVIDENCE_MAX_PACK_RATIO:
        return (
            f"“{name}” was not uploaded: it says it unpacks to {filesizeformat(unpacked)}, "
            f"{unpacked // size} times its own size, which documents never do. Save it again from the program "
            "that made it, or as a PDF."
        )
    return ""
