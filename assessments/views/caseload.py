from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assessments.selectors.caseload import caseload as caseload_of


@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    """The assessor's learners, work awaiting review (oldest first), referrals and units ready to sign."""
    return render(request, "assessments/caseload.html", {"caseload": caseload_of(assessor=request.user)})
