"""Direct observations: the assessor records what they saw, which becomes accepted OBS evidence."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedRequest
from assessments.forms import ObservationForm
from assessments.permissions import can_assess
from assessments.services.observations import record_observation
from centres.access import change_or_403
from centres.lookups import visible_enrolment
from portfolio.services import PortfolioError


@require_http_methods(["GET", "POST"])
def observation_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    enrolment = change_or_403(
        request,
        visible_enrolment(request, pk),
        can_assess,
        "Only the learner's assessor records observations.",
    )
    form = ObservationForm(request.POST or None, enrolment=enrolment)
    if request.method == "POST" and form.is_valid():
        try:
            evidence = record_observation(
                assessor=request.user,
                enrolment=enrolment,
                title=form.cleaned_data["title"],
                date=form.cleaned_data["date"],
                setting=form.cleaned_data["setting"],
                observed=form.cleaned_data["observed"],
                targets=form.cleaned_data["criteria"],
                remote=form.cleaned_data["remote"],
            )
        except PortfolioError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Observation recorded as {evidence.reference}, accepted.")
            return redirect("portfolio:evidence_detail", evidence.pk)
    return render(
        request,
        "assessments/observation_form.html",
        {"form": form, "enrolment": enrolment, "chosen": form["criteria"].value() or []},
        status=400 if form.errors else 200,
    )
