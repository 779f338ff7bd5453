"""A portfolio's history: the audit trail of one learner in one centre, read through `audit.selectors`."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from audit import selectors
from centres.access import Access, read_or_404
from centres.models import Enrolment
from portfolio.permissions import can_view_history


def _may_read_history(access: Access, enrolment: Enrolment) -> bool:
    return can_view_history(access, learner_id=enrolment.learner_id, centre=enrolment.centre)


@require_GET
def history(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The history of an enrolment's learner in its centre; to anyone who may not read it, 404."""
    enrolment = read_or_404(
        request,
        Enrolment.objects.select_related("learner", "centre"),
        pk,
        _may_read_history,
        what="enrolment",
    )
    entries = selectors.history_for(
        learner_id=enrolment.learner_id, centre_id=enrolment.centre_id, page=request.GET.get("page")
    )
    return render(request, "portfolio/history.html", {"enrolment": enrolment, "entries": entries})
