"""The EQA access pages of a centre: its administrators grant, list and end external quality assurers' access, and
read the log of the pages each EQA opened. Other members of the centre (its EQAs included) get 403, everyone else
404, as on the other centre pages."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from centres import selectors
from centres.access import change_or_403
from centres.forms import EQAGrantForm
from centres.lookups import known_centre
from centres.models import Centre, EQAGrant
from centres.permissions import can_grant_eqa_access
from centres.services import eqa


def _centre(request: HttpRequest, pk: int) -> Centre:
    """The centre if the person may manage its EQA access: 404 to non-members, 403 to its other members."""
    return change_or_403(request, known_centre(request, pk), can_grant_eqa_access)


def _grant(centre: Centre, pk: int) -> EQAGrant:
    try:
        return selectors.grant_of(centre=centre, pk=pk)
    except EQAGrant.DoesNotExist:
        raise Http404("No such grant at this centre") from None


@require_http_methods(["GET", "POST"])
def grant_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The centre's grants, and the form to grant access (posted here; errors shown on the same page)."""
    centre = _centre(request, pk)
    form = EQAGrantForm(request.POST if request.method == "POST" else None, centre=centre)
    if form.is_valid():
        try:
            grant = eqa.grant_eqa_access(centre=centre, by=request.user, **form.cleaned_data)
        except eqa.EQAGrantError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{grant.eqa} may read {'the whole centre' if grant.whole_centre else 'the chosen portfolios'} "
                f"from {grant.starts_on:%d/%m/%Y} to {grant.ends_on:%d/%m/%Y}.",
            )
            return redirect("centres:eqa_grants", pk=centre.pk)
    return render(
        request,
        "centres/eqa/grants.html",
        {"centre": centre, "grants": selectors.grants_of(centre=centre), "form": form},
    )


@require_POST
def revoke(request: AuthenticatedRequest, pk: int, grant_pk: int) -> HttpResponse:
    centre = _centre(request, pk)
    grant = _grant(centre, grant_pk)
    try:
        eqa.revoke_eqa_access(grant=grant, by=request.user)
    except eqa.EQAGrantError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The access of {grant.eqa} has ended.")
    return redirect("centres:eqa_grants", pk=centre.pk)


@require_GET
def page_view_log(request: AuthenticatedRequest, pk: int, grant_pk: int) -> HttpResponse:
    centre = _centre(request, pk)
    grant = _grant(centre, grant_pk)
    return render(
        request,
        "centres/eqa/log.html",
        {
            "centre": centre,
            "grant": grant,
            "views": selectors.page_views_of(grant=grant, page=request.GET.get("page")),
        },
    )
