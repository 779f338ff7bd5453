from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from assessments.permissions import can_view_caseload
from assessments.selectors.caseload import caseload as caseload_of
from centres.access import access_of


@require_GET
def caseload(request: AuthenticatedRequest) -> HttpResponse:
    """The assessor's learners, work awaiting review (oldest first), referrals and units ready to sign."""
    if not can_view_caseload(access_of(request)):
        raise PermissionDenied(
            "The caseload is for assessors: it lists the learners whose work you assess. Your own portfolio is on "
            "your home page."
        )
    return render(request, "assessments/caseload.html", {"caseload": caseload_of(assessor=request.user)})
