"""Evidence files over HTTP: upload, replace, download and view in the browser.

Files are only ever served here, after `portfolio.permissions` has been asked: never from a public media URL.
An upload view swaps in `EvidenceUploadHandler` before anything reads the request body, which is why it is
`csrf_exempt` and checks CSRF itself (`csrf_protect`) once the handler is in place.
"""

from typing import cast

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.http import AuthenticatedRequest
from centres.access import access_of, change_or_403, read_or_404
from portfolio import file_types
from portfolio.downloads import stored_file_response, strong_etag
from portfolio.models import Evidence, EvidenceFile
from portfolio.permissions import can_change_evidence, can_view_evidence, can_view_file
from portfolio.selectors.files import file_panel
from portfolio.services import PortfolioError, files
from portfolio.services.files import FileOutcome
from portfolio.uploads import CheckedUpload, EvidenceUploadHandler

NOTHING_RECEIVED = "No file was received: choose a file, then press the upload button."
UNREADABLE = (
    "The upload could not be read: the connection may have dropped, or a file name is too long. "
    "Rename the file to something shorter if need be, then try again."
)


def _evidence_to_change(request: AuthenticatedRequest, pk: int) -> Evidence:
    evidence = read_or_404(
        request, Evidence.objects.select_related("enrolment"), pk, can_view_evidence, what="evidence"
    )
    return change_or_403(
        request, evidence, can_change_evidence, f"The files of {evidence.reference} cannot be changed now."
    )


def visible_file(request: AuthenticatedRequest, pk: int) -> EvidenceFile:
    return read_or_404(
        request, EvidenceFile.objects.select_related("evidence__enrolment"), pk, can_view_file, what="file"
    )


def _body_unreadable(request: AuthenticatedRequest) -> bool:
    """Read the body through the upload handler now, so a malformed one gets a clear answer, not a 500."""
    try:
        request.FILES  # noqa: B018 (reading it parses the body)
    except (MultiPartParserError, UnreadablePostError):
        return True
    return False


def _received(request: AuthenticatedRequest, field: str) -> list[CheckedUpload]:
    """The files under `field`: with `EvidenceUploadHandler` as the request's only handler, each is a
    `CheckedUpload`, which `request.FILES` cannot say."""
    return cast(list[CheckedUpload], request.FILES.getlist(field))


def _wants_panel(request: AuthenticatedRequest) -> bool:
    """Scripts (htmx, or the upload script's XHR) get the file panel back; a plain form post gets a redirect."""
    return bool(request.htmx) or request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _answer(request: AuthenticatedRequest, evidence: Evidence, outcomes: list[FileOutcome]) -> HttpResponse:
    """The re-rendered file panel with a result per file for scripts; a redirect with messages for a form post."""
    if _wants_panel(request):
        context = {
            "file_panel": file_panel(access=access_of(request), evidence=evidence),
            "file_results": outcomes,
        }
        status = 200 if all(outcome.ok for outcome in outcomes) else 400
        return render(request, "portfolio/_files.html", context, status=status)
    for outcome in outcomes:
        if not outcome.ok:
            messages.error(request, outcome.message)
        elif outcome.notice:
            messages.warning(request, outcome.message)
        else:
            messages.success(request, outcome.message)
    return redirect(reverse("portfolio:evidence_detail", args=[evidence.pk]) + "#evidence-files")


@csrf_protect
def _add(request: AuthenticatedRequest, evidence: Evidence, handler: EvidenceUploadHandler) -> HttpResponse:
    """The second half of `upload_files`: CSRF is checked here (`csrf_protect`), with the handler in place."""
    outcomes = [FileOutcome(name=problem.name, error=problem.message) for problem in handler.problems]
    outcomes += files.add_files(user=request.user, evidence=evidence, uploads=_received(request, "files"))
    return _answer(request, evidence, outcomes or [FileOutcome(name="", error=NOTHING_RECEIVED)])


@csrf_exempt  # checked by _add, after the upload handler is in place
@require_POST
@vary_on_headers("HX-Request", "X-Requested-With")
def upload_files(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Add one or several files (field `files`) to a piece of evidence."""
    handler = EvidenceUploadHandler(request)
    request.upload_handlers = [handler]
    evidence = _evidence_to_change(request, pk)  # before the body is read: no gigabyte for a refusal
    if _body_unreadable(request):
        return _answer(request, evidence, [FileOutcome(name="", error=UNREADABLE)])
    return _add(request, evidence, handler)


@csrf_protect
def _replace(
    request: AuthenticatedRequest, evidence_file: EvidenceFile, handler: EvidenceUploadHandler
) -> HttpResponse:
    """The second half of `replace_file`: CSRF is checked here (`csrf_protect`), with the handler in place."""
    received = _received(request, "file")
    outcomes = [FileOutcome(name=problem.name, error=problem.message) for problem in handler.problems]
    if len(received) > 1:
        outcomes.append(FileOutcome(name="", error="Choose one file as the new version, not several."))
    elif received and not outcomes:
        try:
            outcomes.append(
                files.replace_file(user=request.user, evidence_file=evidence_file, upload=received[0])
            )
        except PortfolioError as error:
            outcomes.append(FileOutcome(name=received[0].display_name, error=str(error)))
    return _answer(
        request, evidence_file.evidence, outcomes or [FileOutcome(name="", error=NOTHING_RECEIVED)]
    )


@csrf_exempt  # checked by _replace, after the upload handler is in place
@require_POST
@vary_on_headers("HX-Request", "X-Requested-With")
def replace_file(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Upload a new version of a file (field `file`); the old version is kept."""
    handler = EvidenceUploadHandler(request)
    request.upload_handlers = [handler]
    evidence_file = visible_file(request, pk)
    evidence_file.evidence = _evidence_to_change(request, evidence_file.evidence_id)
    if _body_unreadable(request):
        return _answer(request, evidence_file.evidence, [FileOutcome(name="", error=UNREADABLE)])
    return _replace(request, evidence_file, handler)


def _file_response(
    request: AuthenticatedRequest, evidence_file: EvidenceFile, *, inline: bool
) -> HttpResponseBase:
    """An evidence file under its original name, with the suffix of its sniffed type, whole or by byte range; a
    type outside the allowed list goes as plain bytes."""
    allowed = evidence_file.content_type in file_types.allowed_types()
    return stored_file_response(
        request,
        evidence_file.file,
        filename=file_types.named_for_type(evidence_file.original_name, evidence_file.content_type),
        content_type=evidence_file.content_type if allowed else file_types.OCTET_STREAM,
        etag=strong_etag(evidence_file.sha256),
        size=evidence_file.size,
        inline=inline,
    )


# A PDF cannot be sandboxed (Chromium's viewer refuses to draw in a sandboxed document): nosniff keeps it a PDF.
# Every other inline file is sandboxed: whatever it holds runs no script and reaches no page of the site.
FRAMED_BY_THE_SITE = "frame-ancestors 'self'"
INLINE_CSP = {
    "application/pdf": FRAMED_BY_THE_SITE,
}
SANDBOXED = f"sandbox; default-src 'none'; img-src 'self'; media-src 'self'; {FRAMED_BY_THE_SITE}"


@require_GET
def download_file(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """Any version of a file, as an attachment, for those who may see the evidence (resumable: byte ranges)."""
    return _file_response(request, visible_file(request, pk), inline=False)


@require_GET
@xframe_options_sameorigin
def view_file(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """Images, PDFs, audio and video open in the browser, and the site's own pages may frame them (the review
    screen shows a PDF beside the criteria), no other site's; any other type is downloaded instead. A video or
    recording is seekable: the player asks for byte ranges (`portfolio.downloads`)."""
    evidence_file = visible_file(request, pk)
    inline = file_types.may_show_inline(evidence_file.content_type)
    response = _file_response(request, evidence_file, inline=inline)
    response["Content-Security-Policy"] = (
        INLINE_CSP.get(evidence_file.content_type, SANDBOXED) if inline else "sandbox; default-src 'none'"
    )
    return response
