from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from accounts.paging import paginate
from assessments.permissions import can_view_caseload
from assessments.selectors import caseload as selectors
from assessments.selectors.met import with_progress
from centres.access import access_of
from centres.forms import EnrolmentFilterForm

EVIDENCE, PIECES = "piece of evidence", "pieces of evidence"


@require_GET
def caseload(request: AuthenticatedRequest) -> HttpResponse:
    """The assessor's learners, work awaiting review (oldest first), referrals and units ready to sign: each list
    a page at a time, all of them narrowed by the same filters (learner's name, status)."""
    if not can_view_caseload(access_of(request)):
        raise PermissionDenied(
            "The caseload is for assessors: it lists the learners whose work you assess. Your own portfolio is on "
            "your home page."
        )
    filters = EnrolmentFilterForm(request.GET)
    enrolments = filters.filter(selectors.caseload_enrolments(assessor=request.user))
    learners = paginate(request, enrolments, noun="learner")
    return render(
        request,
        "assessments/caseload.html",
        {
            "filters": filters,
            "learners": learners,
            "progress": with_progress(learners),
            "awaiting": paginate(
                request, selectors.awaiting_review(enrolments), param="awaiting", noun=EVIDENCE, plural=PIECES
            ),
            "referred": paginate(
                request, selectors.referred_back(enrolments), param="referred", noun=EVIDENCE, plural=PIECES
            ),
            "ready": paginate(
                request,
                selectors.ready_to_sign(enrolments),
                param="ready",
                noun="unit ready for sign-off",
                plural="units ready for sign-off",
            ),
        },
    )
