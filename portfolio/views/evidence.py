"""The learner's evidence pages: the list, adding and changing a piece, mapping it to criteria, submitting it.

Views stay thin: `centres.access` says who the person is, `portfolio.permissions` what they may do, the services
do it.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.http import AuthenticatedRequest
from accounts.http import read_or_404 as read_or_404_as
from accounts.paging import paginate
from centres.access import access_of, change_or_403, read_or_404
from centres.lookups import visible_enrolment
from portfolio.forms import EvidenceFilterForm, EvidenceForm, SubmitForm
from portfolio.models import Evidence, EvidenceMapping
from portfolio.permissions import (
    can_add_evidence,
    can_change_evidence,
    can_submit_evidence,
    can_view_evidence,
    can_view_mapping,
)
from portfolio.selectors import evidence as selectors
from portfolio.selectors.files import file_panel
from portfolio.services import EvidenceDetailsError, PortfolioError
from portfolio.services.evidence import create_evidence, submit_evidence, update_evidence
from portfolio.services.mappings import add_mapping, remove_mapping
from units.models import Criterion, RangeItem
from units.permissions import can_view_criterion, can_view_range_item


def visible_evidence(request: AuthenticatedRequest, pk: int) -> Evidence:
    """The evidence, with its enrolment and mappings, if the person may see it; otherwise 404."""
    return read_or_404(request, selectors.evidence_queryset(), pk, can_view_evidence, what="evidence")


def visible_mapping(request: AuthenticatedRequest, pk: int) -> EvidenceMapping:
    """A mapping of evidence the person may see; otherwise 404."""
    return read_or_404(
        request,
        EvidenceMapping.objects.select_related("evidence__enrolment"),
        pk,
        can_view_mapping,
        what="mapping",
    )


def changeable_evidence(request: AuthenticatedRequest, pk: int) -> Evidence:
    """Visible evidence the learner may still change; 403 with the reason otherwise."""
    evidence = visible_evidence(request, pk)
    if evidence.learner_id != request.user.pk:
        reason = f"Only {evidence.enrolment.learner.full_name} changes their evidence {evidence.reference}."
    elif evidence.is_editable:
        reason = f"{evidence.reference} cannot be changed now: its enrolment is closed."
    else:
        reason = (
            f"{evidence.reference} is {evidence.get_status_display().lower()}: it cannot be changed until your "
            "assessor refers it back to you. You can still read it on its page."
        )
    return change_or_403(request, evidence, can_change_evidence, reason)


@require_GET
@vary_on_headers("HX-Request")
def evidence_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    enrolment = visible_enrolment(request, pk)
    form = EvidenceFilterForm(request.GET or None, centre=enrolment.centre)
    filters = form.cleaned_data if form.is_valid() else {}
    evidence = selectors.evidence_list(enrolment=enrolment, **filters)
    template = "portfolio/evidence_list.html"
    return render(
        request,
        f"{template}#results" if request.htmx else template,
        {
            "enrolment": enrolment,
            "form": form,
            "evidence": paginate(request, evidence, noun="piece of evidence", plural="pieces of evidence"),
            "filtered": any(filters.values()),
            "can_add_evidence": can_add_evidence(access_of(request), enrolment),
        },
    )


def _add_errors(form: EvidenceForm, error: PortfolioError) -> None:
    """A refusal shown where it belongs: on each field it concerns, otherwise above the form."""
    if isinstance(error, EvidenceDetailsError):
        for field, message in error.problems.items():
            form.add_error(field, message)
    else:
        form.add_error(None, str(error))


def _form_status(request: AuthenticatedRequest, form: EvidenceForm) -> int:
    return 400 if request.method == "POST" and form.errors else 200


@require_http_methods(["GET", "POST"])
def evidence_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    enrolment = visible_enrolment(request, pk)
    change_or_403(request, enrolment, can_add_evidence, "Only the learner adds evidence to their portfolio.")
    form = EvidenceForm(request.POST or None, centre=enrolment.centre)
    if request.method == "POST" and form.is_valid():
        try:
            evidence = create_evidence(learner=request.user, enrolment=enrolment, **form.cleaned_data)
        except PortfolioError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{evidence.reference} created. Add files and map it to criteria.")
            return redirect("portfolio:evidence_detail", evidence.pk)
    return render(
        request,
        "portfolio/evidence_form.html",
        {"form": form, "enrolment": enrolment},
        status=_form_status(request, form),
    )


@require_http_methods(["GET", "POST"])
def evidence_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    evidence = changeable_evidence(request, pk)
    form = EvidenceForm.for_evidence(evidence, request.POST or None)
    if request.method == "POST" and form.is_valid():
        details = {k: v for k, v in form.cleaned_data.items() if k != "form_key"}
        try:
            update_evidence(user=request.user, evidence=evidence, **details)
        except PortfolioError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{evidence.reference} saved.")
            return redirect("portfolio:evidence_detail", evidence.pk)
    return render(
        request,
        "portfolio/evidence_form.html",
        {"form": form, "enrolment": evidence.enrolment, "evidence": evidence},
        status=_form_status(request, form),
    )


def _evidence_page_context(
    request: AuthenticatedRequest, evidence: Evidence, query: str, submit_form: SubmitForm | None = None
) -> dict[str, object]:
    return {
        "evidence": evidence,
        "enrolment": evidence.enrolment,
        "can_change": can_change_evidence(access_of(request), evidence),
        "query": query,
        "results": selectors.picker_results(evidence=evidence, query=query),
        "picker_limit": selectors.PICKER_LIMIT,
        "submit_form": submit_form or SubmitForm(),
        "file_panel": file_panel(access=access_of(request), evidence=evidence),
    }


@require_GET
def evidence_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    evidence = visible_evidence(request, pk)
    context = _evidence_page_context(request, evidence, request.GET.get("q", ""))
    return render(request, "portfolio/evidence_detail.html", context)


@require_GET
@vary_on_headers("HX-Request")
def criterion_picker(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The picker's results alone, for htmx; without JavaScript the evidence page shows them (`?q=`)."""
    evidence = changeable_evidence(request, pk)
    query = request.GET.get("q", "")
    if not request.htmx:
        return redirect(f"{reverse('portfolio:evidence_detail', args=[pk])}?q={query}#picker")
    return render(
        request,
        "portfolio/evidence_detail.html#picker-results",
        {
            "evidence": evidence,
            "query": query,
            "results": selectors.picker_results(evidence=evidence, query=query),
            "picker_limit": selectors.PICKER_LIMIT,
            "count_out_of_band": True,  # the count goes to the page's status region, which stays
        },
    )


def _mapping_panel(request: AuthenticatedRequest, evidence: Evidence) -> HttpResponse:
    """After a mapping change: the panel for htmx, otherwise back to the page where the learner was."""
    query = request.POST.get("q", "")
    if request.htmx:
        fresh = selectors.evidence_detail(pk=evidence.pk)
        return render(
            request, "portfolio/evidence_detail.html#mappings", _evidence_page_context(request, fresh, query)
        )
    url = reverse("portfolio:evidence_detail", args=[evidence.pk])
    return redirect(f"{url}?q={query}#mappings" if query else f"{url}#mappings")


def _posted_id(request: AuthenticatedRequest, name: str) -> int:
    """A posted row id; anything that is not one finds nothing (404)."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else 0


@require_POST
def mapping_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    evidence = changeable_evidence(request, pk)
    criterion = read_or_404_as(
        request.user,
        Criterion.objects.select_related("specification"),
        _posted_id(request, "criterion"),
        can_view_criterion,
        what="criterion",
    )
    range_item = None
    if request.POST.get("range_item"):
        range_item = read_or_404_as(
            request.user,
            RangeItem.objects.all(),
            _posted_id(request, "range_item"),
            can_view_range_item,
            what="range item",
        )
    try:
        mapping = add_mapping(
            user=request.user, evidence=evidence, criterion=criterion, range_item=range_item
        )
    except PortfolioError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{evidence.reference} mapped to {mapping.criterion.specification.code} {mapping.label}."
        )
    return _mapping_panel(request, evidence)


@require_POST
def mapping_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    mapping = visible_mapping(request, pk)
    evidence = changeable_evidence(request, mapping.evidence_id)
    try:
        remove_mapping(user=request.user, mapping=mapping)
    except PortfolioError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{mapping.label} removed from {evidence.reference}.")
    return _mapping_panel(request, evidence)


@require_POST
def evidence_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    evidence = change_or_403(
        request,
        visible_evidence(request, pk),
        can_submit_evidence,
        "Only the learner submits their evidence.",
    )
    if evidence.status in (Evidence.Status.SUBMITTED, Evidence.Status.RESUBMITTED):
        messages.info(
            request, f"{evidence.reference} was already submitted on {evidence.submitted_at:%d/%m/%Y %H:%M}."
        )
        return redirect("portfolio:evidence_detail", evidence.pk)
    form = SubmitForm(request.POST)
    if form.is_valid():
        try:
            submit_evidence(user=request.user, evidence=evidence, declaration=True)
        except PortfolioError as error:
            form.add_error(None, str(error))
    if form.errors:
        fresh = selectors.evidence_detail(pk=evidence.pk)
        context = _evidence_page_context(request, fresh, "", submit_form=form)
        return render(request, "portfolio/evidence_detail.html", context, status=400)
    messages.success(request, f"{evidence.reference} submitted to your assessor.")
    return redirect("portfolio:evidence_detail", evidence.pk)
