"""Previews of files browsers cannot show as they are (HEIC photos), for those who may see the evidence."""

from pathlib import PurePosixPath

from django.http import Http404, HttpResponse, HttpResponseBase
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from portfolio.downloads import StoredName, stored_file_response, strong_etag
from portfolio.previews import has_preview, preview
from portfolio.views.files import SANDBOXED, visible_file

# Shown in place of a preview that cannot be made (a damaged or very large photo): a picture that says so.
NO_PREVIEW = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="120" viewBox="0 0 480 120" role="img">'
    '<rect width="480" height="120" fill="#f3f4f6" stroke="#6b7280"/>'
    '<text x="240" y="55" text-anchor="middle" font-family="sans-serif" font-size="18" fill="#111827">'
    "No preview of this photo</text>"
    '<text x="240" y="85" text-anchor="middle" font-family="sans-serif" font-size="15" fill="#374151">'
    "Download it to see it as it was uploaded</text></svg>"
)


@require_GET
def preview_file(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """A JPEG of a HEIC photo, made once and kept; the original is downloaded as it was uploaded."""
    evidence_file = visible_file(request, pk)
    if not has_preview(evidence_file.content_type):
        raise Http404("This file is shown as it is, not through a preview")
    name = preview(evidence_file)
    response: HttpResponseBase
    if name is None:
        response = HttpResponse(NO_PREVIEW, content_type="image/svg+xml")
        response["Cache-Control"] = "private, no-cache"
    else:
        stem = PurePosixPath(evidence_file.original_name).stem or "photo"
        response = stored_file_response(
            request,
            StoredName(name, evidence_file.file.storage),
            filename=f"{stem} (preview).jpg",
            content_type="image/jpeg",
            etag=strong_etag(f"{evidence_file.sha256}-preview"),
            inline=True,
            cache_control="private, max-age=86400",  # the preview of a digest never changes
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOXED  # a picture, opened alone or in an <img>: nothing runs
    return response
