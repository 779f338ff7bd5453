"""The pages that show progress: the home page of everyone's portfolios, one enrolment's overview, and the
criterion matrix with its sign-off panel. They live here because "met" is assessment's to say."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from accounts.paging import paginate
from assessments.permissions import can_assess, can_reopen, can_sign
from assessments.selectors.matrix import criterion_matrix as matrix_of
from assessments.selectors.met import with_progress
from assessments.selectors.signatures import sign_off_panel
from centres.access import access_of
from centres.forms import EnrolmentFilterForm
from centres.lookups import enrolled_specification, visible_enrolment
from centres.selectors import assessors_of, enrolments_for
from portfolio.permissions import can_add_evidence
from portfolio.selectors.evidence import evidence_list


@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Learners see their enrolments; assessors, IVs, administrators and EQAs the portfolios they look after, a
    page at a time, filtered by learner, status and assessor."""
    visible = enrolments_for(request.user)
    others = visible.exclude(learner=request.user)
    filters = EnrolmentFilterForm(request.GET, assessors=assessors_of(others))
    paged = paginate(request, filters.filter(others), noun="portfolio")
    return render(
        request,
        "assessments/home.html",
        {
            "own": with_progress(visible.filter(learner=request.user)),
            "others": with_progress(paged),
            "paged": paged,
            "filters": filters,
        },
    )


@require_GET
def enrolment_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    enrolment = visible_enrolment(request, pk)
    access = access_of(request)
    (card,) = with_progress([enrolment])
    return render(
        request,
        "assessments/enrolment_detail.html",
        {
            "enrolment": enrolment,
            "specifications": card.specifications,
            "can_add_evidence": can_add_evidence(access, enrolment),
            "can_assess": can_assess(access, enrolment),
            "recent_evidence": evidence_list(enrolment=enrolment)[:5],
        },
    )


@require_GET
def criterion_matrix(request: AuthenticatedRequest, pk: int, specification_pk: int) -> HttpResponse:
    enrolment = visible_enrolment(request, pk)
    specification = enrolled_specification(enrolment, specification_pk)
    access = access_of(request)
    matrix = matrix_of(enrolment=enrolment, specification=specification)
    panel = sign_off_panel(
        enrolment=enrolment,
        specification=specification,
        user_id=access.user_id if can_sign(access, enrolment) else None,
        progress=matrix.progress,
        may_reopen=can_reopen(access, enrolment),
    )
    return render(
        request, "assessments/matrix.html", {"enrolment": enrolment, "matrix": matrix, "sign_off": panel}
    )
