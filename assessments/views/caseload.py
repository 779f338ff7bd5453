from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from assessments.selectors.caseload import caseload as caseload_of


@require_GET
def caseload(request: AuthenticatedRequest) -> HttpResponse:
    """The assessor's learners, work awaiting review (oldest first), referrals and units ready to sign."""
    return render(request, "assessments/caseload.html", {"caseload": caseload_of(assessor=request.user)})
