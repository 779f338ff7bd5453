"""JPEG previews of photos browsers cannot show: HEIC and HEIF, what iPhones take.

The original file and its SHA-256 are never touched: a preview is a separate, smaller JPEG made once, on first
view, and kept in storage under the original's digest (the same content always gives the same preview). A photo
too large to decode safely, or one that cannot be read, gets no preview, and the page says so.
"""

import io
import logging

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from portfolio.models import EvidenceFile

register_heif_opener()

logger = logging.getLogger(__name__)

PREVIEWED_TYPES = frozenset({"image/heic", "image/heif"})
LONGEST_EDGE = 1600  # pixels: enough for a screen, a fraction of the photo's size
# Decoding holds the whole picture in memory (three bytes a pixel): 50 megapixels, a large phone photo, is about
# 150 MB. Beyond that, or a file beyond 64 MiB, no preview is made.
MAX_PIXELS = 50_000_000
MAX_BYTES = 64 * 1024 * 1024
QUALITY = 85


def has_preview(content_type: str) -> bool:
    """Whether the file is shown through a JPEG preview rather than as it is."""
    return content_type in PREVIEWED_TYPES


def preview_name(evidence_file: EvidenceFile) -> str:
    return f"previews/{evidence_file.sha256}-{LONGEST_EDGE}.jpg"


def _jpeg(data: bytes) -> bytes | None:
    """The photo as a JPEG no larger than LONGEST_EDGE, turned upright; None if it is too large to decode."""
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size  # read from the header: nothing is decoded yet
        if width * height > MAX_PIXELS:
            return None
        image.thumbnail((LONGEST_EDGE, LONGEST_EDGE))
        upright = ImageOps.exif_transpose(image).convert("RGB")
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


def preview(evidence_file: EvidenceFile) -> str | None:
    """The storage name of the file's JPEG preview, made now if it was not made before; None if none can be."""
    stored = evidence_file.file.name
    if not stored or not has_preview(evidence_file.content_type) or evidence_file.size > MAX_BYTES:
        return None
    storage = evidence_file.file.storage
    name = preview_name(evidence_file)
    if storage.exists(name):
        return name
    try:
        with storage.open(stored, "rb") as handle:
            jpeg = _jpeg(handle.read())
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError) as error:
        logger.warning("No preview of evidence file %s: %s", evidence_file.pk, error)
        return None
    if jpeg is None:
        return None
    if not storage.exists(name):  # another request may have made it meanwhile: the same bytes
        storage.save(name, ContentFile(jpeg))
    return name
