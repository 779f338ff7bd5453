"""Centre pages for learners' enrolments: the list, enrolling a learner and changing an enrolment."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from accounts.http import AuthenticatedRequest
from accounts.paging import paginate
from centres import selectors
from centres.access import access_of
from centres.forms import EnrolmentChangeForm, EnrolmentFilterForm, EnrolmentForm
from centres.lookups import managed_centre, visible_centre
from centres.models import Centre, Enrolment
from centres.permissions import can_manage_centre
from centres.services import CentreError
from centres.services.enrolments import enrol, update_enrolment
from centres.views.people import posted


def _enrolment(centre: Centre, pk: int) -> Enrolment:
    try:
        return selectors.enrolment_in_centre(centre=centre, pk=pk)
    except Enrolment.DoesNotExist:
        raise Http404("No such enrolment at this centre") from None


@require_GET
@vary_on_headers("HX-Request")
def enrolment_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The centre's enrolments a page at a time, filtered by learner, status and assessor."""
    centre = visible_centre(request, pk)
    everything = selectors.enrolment_list(centre=centre)
    filter_form = EnrolmentFilterForm(request.GET, assessors=selectors.assessors_of(everything))
    template = "centres/enrolments.html"
    return render(
        request,
        f"{template}#results" if request.htmx else template,
        {
            "centre": centre,
            "filter_form": filter_form,
            "enrolments": paginate(request, filter_form.filter(everything), noun="enrolment"),
            "can_manage": can_manage_centre(access_of(request), centre),
        },
    )


@require_http_methods(["GET", "POST"])
def enrolment_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    centre = managed_centre(request, pk)
    form = EnrolmentForm(posted(request), centre=centre)
    if form.is_valid():
        try:
            enrolment = enrol(centre=centre, by=request.user, **form.cleaned_data)
        except CentreError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"{enrolment.learner} is enrolled from {enrolment.start_date:%d/%m/%Y}."
            )
            return redirect("centres:enrolments", pk=centre.pk)
    return render(request, "centres/enrolment_form.html", {"centre": centre, "form": form})


@require_http_methods(["GET", "POST"])
def enrolment_edit(request: AuthenticatedRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    centre = managed_centre(request, pk)
    enrolment = _enrolment(centre, enrolment_pk)
    form = EnrolmentChangeForm(posted(request), centre=centre, enrolment=enrolment)
    if form.is_valid():
        try:
            update_enrolment(enrolment=enrolment, by=request.user, **form.cleaned_data)
        except CentreError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"The enrolment of {enrolment.learner} is saved.")
            return redirect("centres:enrolments", pk=centre.pk)
    return render(
        request,
        "centres/enrolment_form.html",
        {"centre": centre, "form": form, "enrolment": enrolment},
    )
