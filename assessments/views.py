from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from assessments import selectors, services
from assessments.forms import ObservationForm, countable_choices, parse_countable
from assessments.permissions import can_assess, can_reopen, can_review, can_sign
from assessments.services import AssessmentError, Decision, StaleFormError
from portfolio import files
from portfolio import selectors as portfolio_selectors
from portfolio.models import Enrolment, Evidence, EvidenceMapping
from portfolio.views import visible_enrolment, visible_evidence
from units.models import Specification


@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    return render(
        request, "assessments/caseload.html", {"caseload": selectors.caseload(assessor=request.user)}
    )


def _review_page(
    request: HttpRequest, evidence: Evidence, *, status: int = 200, error: str = ""
) -> HttpResponse:
    evidence = portfolio_selectors.evidence_detail(pk=evidence.pk)
    context = {
        "evidence": evidence,
        "error": error,
        "countables": countable_choices(evidence.enrolment),
        **selectors.review_context(evidence=evidence),
        **files.file_panel_context(user=request.user, evidence=evidence),
    }
    template = "assessments/review.html#panel" if request.htmx else "assessments/review.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessor's screen: evidence beside each criterion, judged met or not yet met, then a decision."""
    evidence = visible_evidence(request, pk)
    if not can_review(request.user, evidence):
        raise PermissionDenied("Only the learner's assessor judges this evidence.")
    if request.method == "GET":
        return _review_page(request, evidence)
    action = request.POST.get("action", "save")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return _review_page(
            request, evidence, status=400, error="The form was incomplete: reload and try again."
        )
    decisions = [
        Decision(
            mapping_id=mapping.pk,
            met={"met": True, "not_met": False}.get(request.POST.get(f"met-{mapping.pk}", "")),
            feedback=request.POST.get(f"feedback-{mapping.pk}", ""),
        )
        for mapping in evidence.mappings.all()
    ]
    try:
        evidence = services.save_judgements(
            assessor=request.user, evidence=evidence, version=version, decisions=decisions
        )
        if action in ("accept", "refer"):
            services.decide(
                assessor=request.user,
                evidence=evidence,
                version=evidence.version,
                accept=action == "accept",
                feedback=request.POST.get("feedback", ""),
            )
    except StaleFormError as error:
        return _review_page(request, evidence, status=409, error=str(error))
    except AssessmentError as error:
        return _review_page(request, evidence, status=400, error=str(error))
    if action == "save":
        messages.success(request, f"Judgements on {evidence.reference} saved.")
        return (
            _review_page(request, evidence) if request.htmx else redirect("assessments:review", evidence.pk)
        )
    messages.success(
        request,
        f"{evidence.reference} {'accepted' if action == 'accept' else 'referred back'}; the learner is told.",
    )
    return redirect("assessments:caseload")


@require_POST
def review_mapping_add(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = visible_evidence(request, pk)
    if not can_review(request.user, evidence):
        raise PermissionDenied("Only the learner's assessor changes this evidence's mappings.")
    try:
        criterion, range_item = parse_countable(request.POST.get("countable", ""))
        services.add_mapping(
            assessor=request.user,
            evidence=evidence,
            version=int(request.POST.get("version") or -1),
            criterion=criterion,
            range_item=range_item,
        )
    except StaleFormError as error:
        return _review_page(request, evidence, status=409, error=str(error))
    except AssessmentError as error:
        return _review_page(request, evidence, status=400, error=str(error))
    return _review_page(request, evidence) if request.htmx else redirect("assessments:review", evidence.pk)


@require_POST
def review_mapping_remove(request: HttpRequest, pk: int) -> HttpResponse:
    mapping = get_object_or_404(EvidenceMapping.objects.select_related("evidence"), pk=pk)
    evidence = visible_evidence(request, mapping.evidence_id)
    if not can_review(request.user, evidence):
        raise PermissionDenied("Only the learner's assessor changes this evidence's mappings.")
    try:
        services.remove_mapping(
            assessor=request.user, mapping=mapping, version=int(request.POST.get("version") or -1)
        )
    except StaleFormError as error:
        return _review_page(request, evidence, status=409, error=str(error))
    except AssessmentError as error:
        return _review_page(request, evidence, status=400, error=str(error))
    return _review_page(request, evidence) if request.htmx else redirect("assessments:review", evidence.pk)


@require_http_methods(["GET", "POST"])
def observation_create(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = visible_enrolment(request, pk)
    if not can_assess(request.user, enrolment):
        raise PermissionDenied("Only the learner's assessor records observations.")
    form = ObservationForm(request.POST or None, enrolment=enrolment)
    if request.method == "POST" and form.is_valid():
        try:
            evidence = services.record_observation(
                assessor=request.user,
                enrolment=enrolment,
                title=form.cleaned_data["title"],
                date=form.cleaned_data["date"],
                setting=form.cleaned_data["setting"],
                observed=form.cleaned_data["observed"],
                targets=form.cleaned_data["criteria"],
            )
        except AssessmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Observation recorded as {evidence.reference}, accepted.")
            return redirect("portfolio:evidence_detail", evidence.pk)
    return render(request, "assessments/observation_form.html", {"form": form, "enrolment": enrolment})


def _matrix_url(enrolment: Enrolment, specification: Specification) -> str:
    return reverse("portfolio:criterion_matrix", args=[enrolment.pk, specification.pk]) + "#sign-off"


@require_POST
def sign(request: HttpRequest, pk: int, specification_pk: int) -> HttpResponse:
    enrolment = visible_enrolment(request, pk)
    if not can_sign(request.user, enrolment):
        raise PermissionDenied("Only the learner and their assessor sign a unit off.")
    specification = get_object_or_404(Specification, pk=specification_pk)
    try:
        signature = services.sign_off(
            user=request.user,
            enrolment=enrolment,
            specification=specification,
            password=request.POST.get("password", ""),
        )
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Signed: {signature.get_role_display()} ({signature.signed_at:%d/%m/%Y %H:%M})."
        )
    return redirect(_matrix_url(enrolment, specification))


@require_POST
def reopen(request: HttpRequest, pk: int, specification_pk: int) -> HttpResponse:
    enrolment = visible_enrolment(request, pk)
    if not can_reopen(request.user, enrolment):
        raise PermissionDenied("Only the learner's assessor reopens a signed-off unit.")
    specification = get_object_or_404(Specification, pk=specification_pk)
    try:
        services.reopen(
            user=request.user,
            enrolment=enrolment,
            specification=specification,
            reason=request.POST.get("reason", ""),
        )
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{specification.code} reopened: its signatures are void and its judgements open."
        )
    return redirect(_matrix_url(enrolment, specification))
