from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from assessments import selectors as assessment_selectors
from assessments.permissions import can_assess, can_reopen, can_review, can_sign
from portfolio import files, selectors, services
from portfolio.forms import EvidenceFilterForm, EvidenceForm, SubmitForm
from portfolio.models import Enrolment, Evidence, EvidenceMapping
from portfolio.permissions import (
    can_add_evidence,
    can_change_evidence,
    can_view_enrolment,
    can_view_evidence,
)
from portfolio.services import PortfolioError
from units.models import Criterion, RangeItem, Specification


def visible_enrolment(request: HttpRequest, pk: int) -> Enrolment:
    """The enrolment, if the person may see it; otherwise 404, so its existence is not revealed."""
    try:
        enrolment = selectors.enrolment_detail(pk=pk)
    except Enrolment.DoesNotExist:
        raise Http404("No such enrolment") from None
    if not can_view_enrolment(request.user, enrolment):
        raise Http404("No such enrolment")
    return enrolment


def visible_evidence(request: HttpRequest, pk: int) -> Evidence:
    """The evidence, if the person may see it; otherwise 404, so its existence is not revealed."""
    try:
        evidence = selectors.evidence_detail(pk=pk)
    except Evidence.DoesNotExist:
        raise Http404("No such evidence") from None
    if not can_view_evidence(request.user, evidence):
        raise Http404("No such evidence")
    return evidence


def enrolled_specification(enrolment: Enrolment, specification_pk: int) -> Specification:
    """One of the specifications the enrolment covers (prefetched by `visible_enrolment`); otherwise 404."""
    for enrolled in enrolment.enrolled_specifications.all():
        if enrolled.specification_id == specification_pk:
            return enrolled.specification
    raise Http404("This enrolment does not cover that specification")


def _changeable_evidence(request: HttpRequest, pk: int) -> Evidence:
    evidence = visible_evidence(request, pk)
    if not can_change_evidence(request.user, evidence):
        raise PermissionDenied(f"{evidence.reference} cannot be changed by you now.")
    return evidence


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Learners see their enrolments; assessors, IVs, administrators and EQAs the portfolios they look after."""
    enrolments = list(selectors.enrolments_for(request.user))
    progress = _progress(enrolments)
    return render(
        request,
        "portfolio/home.html",
        {
            "own": [(e, _with_progress(e, progress)) for e in enrolments if e.learner_id == request.user.pk],
            "others": [
                (e, _with_progress(e, progress)) for e in enrolments if e.learner_id != request.user.pk
            ],
        },
    )


def _progress(enrolments: list[Enrolment]) -> dict:
    met = assessment_selectors.met_counts(assessment_selectors.countable_states(enrolments=enrolments))
    return selectors.progress_for(enrolments, met=met)


def _with_progress(enrolment: Enrolment, progress: dict) -> list:
    return [
        (enrolled.specification, progress[(enrolment.pk, enrolled.specification_id)])
        for enrolled in enrolment.enrolled_specifications.all()
    ]


@require_GET
def enrolment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = visible_enrolment(request, pk)
    progress = _progress([enrolment])
    return render(
        request,
        "portfolio/enrolment_detail.html",
        {
            "enrolment": enrolment,
            "specifications": _with_progress(enrolment, progress),
            "can_add_evidence": can_add_evidence(request.user, enrolment),
            "can_assess": can_assess(request.user, enrolment),
            "recent_evidence": selectors.evidence_list(enrolment=enrolment)[:5],
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def evidence_list(request: HttpRequest, pk: int) -> HttpResponse:
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
            "evidence": evidence,
            "filtered": any(filters.values()),
            "can_add_evidence": can_add_evidence(request.user, enrolment),
        },
    )


@require_http_methods(["GET", "POST"])
def evidence_create(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = visible_enrolment(request, pk)
    if not can_add_evidence(request.user, enrolment):
        raise PermissionDenied("Only the learner adds evidence to their portfolio.")
    form = EvidenceForm(request.POST or None, centre=enrolment.centre)
    if request.method == "POST" and form.is_valid():
        try:
            evidence = services.create_evidence(
                learner=request.user, enrolment=enrolment, **form.cleaned_data
            )
        except PortfolioError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{evidence.reference} created. Add files and map it to criteria.")
            return redirect("portfolio:evidence_detail", evidence.pk)
    return render(request, "portfolio/evidence_form.html", {"form": form, "enrolment": enrolment})


@require_http_methods(["GET", "POST"])
def evidence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _changeable_evidence(request, pk)
    form = EvidenceForm.for_evidence(evidence, request.POST or None)
    if request.method == "POST" and form.is_valid():
        details = {k: v for k, v in form.cleaned_data.items() if k != "form_key"}
        try:
            services.update_evidence(user=request.user, evidence=evidence, **details)
        except PortfolioError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{evidence.reference} saved.")
            return redirect("portfolio:evidence_detail", evidence.pk)
    return render(
        request,
        "portfolio/evidence_form.html",
        {"form": form, "enrolment": evidence.enrolment, "evidence": evidence},
    )


def _evidence_page_context(request: HttpRequest, evidence: Evidence, query: str) -> dict:
    return {
        "evidence": evidence,
        "enrolment": evidence.enrolment,
        "can_change": can_change_evidence(request.user, evidence),
        "query": query,
        "results": selectors.picker_results(evidence=evidence, query=query),
        "submit_form": SubmitForm(),
        "can_review": can_review(request.user, evidence),
        "feedback_history": assessment_selectors.feedback_history(evidence=evidence),
        **files.file_panel_context(user=request.user, evidence=evidence),
    }


@require_GET
def evidence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = visible_evidence(request, pk)
    context = _evidence_page_context(request, evidence, request.GET.get("q", ""))
    return render(request, "portfolio/evidence_detail.html", context)


@require_GET
@vary_on_headers("HX-Request")
def criterion_picker(request: HttpRequest, pk: int) -> HttpResponse:
    """The picker's results alone, for htmx; without JavaScript the evidence page shows them (`?q=`)."""
    evidence = _changeable_evidence(request, pk)
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
        },
    )


def _mapping_panel(request: HttpRequest, evidence: Evidence) -> HttpResponse:
    """After a mapping change: the panel for htmx, otherwise back to the page where the learner was."""
    query = request.POST.get("q", "")
    if request.htmx:
        fresh = selectors.evidence_detail(pk=evidence.pk)
        return render(
            request, "portfolio/evidence_detail.html#mappings", _evidence_page_context(request, fresh, query)
        )
    url = reverse("portfolio:evidence_detail", args=[evidence.pk])
    return redirect(f"{url}?q={query}#mappings" if query else f"{url}#mappings")


@require_POST
def mapping_add(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _changeable_evidence(request, pk)
    criterion = get_object_or_404(Criterion, pk=request.POST.get("criterion") or 0)
    range_item = None
    if request.POST.get("range_item"):
        range_item = get_object_or_404(RangeItem, pk=request.POST["range_item"])
    try:
        mapping = services.add_mapping(
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
def mapping_remove(request: HttpRequest, pk: int) -> HttpResponse:
    mapping = get_object_or_404(EvidenceMapping.objects.select_related("evidence"), pk=pk)
    evidence = _changeable_evidence(request, mapping.evidence_id)
    try:
        services.remove_mapping(user=request.user, mapping=mapping)
    except PortfolioError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{mapping.label} removed from {evidence.reference}.")
    return _mapping_panel(request, evidence)


@require_POST
def evidence_submit(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = visible_evidence(request, pk)
    if evidence.learner_id != request.user.pk:
        raise PermissionDenied("Only the learner submits their evidence.")
    if evidence.status in (Evidence.Status.SUBMITTED, Evidence.Status.RESUBMITTED):
        messages.info(
            request, f"{evidence.reference} was already submitted on {evidence.submitted_at:%d/%m/%Y %H:%M}."
        )
        return redirect("portfolio:evidence_detail", evidence.pk)
    form = SubmitForm(request.POST)
    try:
        services.submit_evidence(user=request.user, evidence=evidence, declaration=form.is_valid())
    except PortfolioError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{evidence.reference} submitted to your assessor.")
    return redirect("portfolio:evidence_detail", evidence.pk)


@require_GET
def criterion_matrix(request: HttpRequest, pk: int, specification_pk: int) -> HttpResponse:
    enrolment = visible_enrolment(request, pk)
    specification = enrolled_specification(enrolment, specification_pk)
    states = assessment_selectors.countable_states(
        enrolments=[enrolment], specification_ids=[specification_pk]
    )
    matrix = selectors.criterion_matrix(
        enrolment=enrolment,
        specification=specification,
        states=states.get((enrolment.pk, specification_pk), {}),
    )
    signatures = assessment_selectors.sign_off_history(enrolment=enrolment, specification=specification)
    in_force = {s.role: s for s in signatures if s.is_valid}
    return render(
        request,
        "portfolio/matrix.html",
        {
            "enrolment": enrolment,
            "matrix": matrix,
            "voided_signatures": [s for s in signatures if not s.is_valid],
            "learner_signature": in_force.get("learner"),
            "assessor_signature": in_force.get("assessor"),
            "admin_check_signature": in_force.get("admin_check"),
            "completion_signature": in_force.get("completion"),
            "can_sign": can_sign(request.user, enrolment),
            "can_reopen": can_reopen(request.user, enrolment) and bool(in_force),
            "signing_as": (
                "learner"
                if request.user.pk == enrolment.learner_id
                else "assessor"
                if request.user.pk == enrolment.assessor_id
                else ""
            ),
        },
    )
