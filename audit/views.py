from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit import selectors
from audit.permissions import can_view_history
from portfolio.models import Enrolment


@require_GET
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """The history of an enrolment's learner in its centre; to anyone who may not read it, 404."""
    enrolment = Enrolment.objects.select_related("learner", "centre").filter(pk=pk).first()
    if enrolment is None or not can_view_history(request.user, enrolment.learner, enrolment.centre):
        raise Http404("No such enrolment")
    entries = selectors.history_for(
        learner=enrolment.learner, centre=enrolment.centre, page=request.GET.get("page")
    )
    return render(request, "audit/history.html", {"enrolment": enrolment, "entries": entries})
