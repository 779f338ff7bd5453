"""Completion records and exports over HTTP. Views stay thin: `records/permissions.py` decides who may do what,
`records/services.py` does it. As elsewhere, what a person may not know exists answers 404, what they may see but
not change 403."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from accounts.http import AuthenticatedRequest
from centres.access import access_of, change_or_403, read_or_404
from centres.lookups import enrolled_specification, visible_centre, visible_enrolment
from jobs.services import reap_stopped_workers
from portfolio.downloads import stored_file_response, strong_etag
from records import export_selectors, record_pdfs, services
from records.forms import CohortExportForm
from records.models import Export
from records.pdf import completion_record_filename, completion_record_pdf
from records.permissions import can_export_cohort, can_export_portfolio, can_view_export
from records.services import ExportError


@require_GET
def completion_record(request: AuthenticatedRequest, pk: int, specification_pk: int) -> HttpResponseBase:
    """The completion record of one specification as a PDF, marked DRAFT until completion is confirmed; a
    confirmed record is rendered once and then served from storage (`records.record_pdfs`)."""
    enrolment = visible_enrolment(request, pk)
    specification = enrolled_specification(enrolment, specification_pk)
    filename = completion_record_filename(enrolment=enrolment, specification=specification)
    frozen = record_pdfs.frozen_record(enrolment=enrolment, specification=specification)
    if frozen is not None:
        stored, digest = frozen
        return stored_file_response(
            request,
            stored,
            filename=filename,
            content_type="application/pdf",
            etag=strong_etag(f"{digest}-layout{record_pdfs.LAYOUT}"),
            cache_control="private, no-store",
        )
    response = HttpResponse(
        completion_record_pdf(enrolment=enrolment, specification=specification),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def portfolio_exports(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One learner's completion records and portable exports; a POST asks for a new export."""
    enrolment = visible_enrolment(request, pk)
    may_export = can_export_portfolio(access_of(request), enrolment)
    if request.method == "POST":
        change_or_403(request, enrolment, can_export_portfolio, "You cannot export this portfolio.")
        try:
            export = services.start_portfolio_export(user=request.user, enrolment=enrolment)
        except ExportError as error:
            messages.error(request, str(error))
            return redirect("records:portfolio_exports", pk=enrolment.pk)
        return redirect("records:export", pk=export.pk)
    return render(
        request,
        "records/portfolio_exports.html",
        {
            "enrolment": enrolment,
            "exports": export_selectors.portfolio_exports(enrolment),
            "can_export": may_export,
            "retention_days": settings.EXPORT_RETENTION_DAYS,
        },
    )


@require_http_methods(["GET", "POST"])
def centre_exports(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Cohort exports of a centre: the form to start one, and every one made, with its progress."""
    centre = visible_centre(request, pk)
    may_export = can_export_cohort(access_of(request), centre)
    form = CohortExportForm(request.POST if request.method == "POST" else None, centre=centre)
    if request.method == "POST":
        change_or_403(request, centre, can_export_cohort, "Only the centre's administrators export a cohort.")
        if form.is_valid():
            try:
                export = services.start_cohort_export(user=request.user, centre=centre, **form.cleaned_data)
            except ExportError as error:
                form.add_error(None, str(error))
            else:
                return redirect("records:export", pk=export.pk)
    return render(
        request,
        "records/centre_exports.html",
        {
            "centre": centre,
            "form": form,
            "can_export": may_export,
            "exports": export_selectors.centre_exports(centre),
            "retention_days": settings.EXPORT_RETENTION_DAYS,
        },
        status=400 if form.errors else 200,
    )


def _visible_export(request: AuthenticatedRequest, pk: int) -> Export:
    return read_or_404(request, export_selectors.exports(), pk, can_view_export, what="export")


@require_GET
@vary_on_headers("HX-Request")
def export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """An export's progress (queued, running n of m, done or failed with the reason); htmx polls its status.
    While it is unfinished each look also fails the jobs of a worker that stopped, so it never waits for ever."""
    export = _visible_export(request, pk)
    if not export.is_finished and reap_stopped_workers():
        export = _visible_export(request, pk)
    template = "records/export.html"
    return render(
        request,
        f"{template}#status" if request.htmx else template,
        {
            "export": export,
            "description": services.describe(export),
            "retention_days": settings.EXPORT_RETENTION_DAYS,
        },
    )


@require_GET
def download_export(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The finished ZIP, streamed, for whoever may see the export."""
    export = _visible_export(request, pk)
    if export.status != Export.Status.DONE or not export.file:
        raise Http404("This export has no file to download yet")
    return stored_file_response(
        request,
        export.file,
        filename=services.export_filename(export),
        content_type="application/zip",
        etag=strong_etag(export.sha256),
        size=export.size,
        cache_control="private, no-store",  # a whole portfolio: no copy left in a shared browser's cache
    )
