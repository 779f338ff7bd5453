"""The sampling strategy, the IV's dashboard and the sampling plan pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.http import AuthenticatedRequest
from accounts.paging import paginate
from centres.access import Access, access_of, change_or_403, read_or_404
from centres.lookups import known_centre
from centres.models import EnrolledSpecification
from centres.permissions import can_know_centre
from portfolio.services import PortfolioError
from quality.forms import AddSampleForm, GeneratePlanForm, MoveSampleForm, StrategyForm
from quality.models import Sample, SamplingPlan
from quality.permissions import (
    can_edit_strategy,
    can_generate_plan,
    can_manage_plan,
    can_view_iqa_dashboard,
    can_view_plan,
    can_view_strategy,
)
from quality.selectors import plans as selectors
from quality.services import plans as plan_services
from quality.services.strategy import update_strategy


def _knows_plan(access: Access, plan: SamplingPlan) -> bool:
    return can_know_centre(access, plan.centre)


def _visible_plan(request: AuthenticatedRequest, pk: int) -> SamplingPlan:
    plan = read_or_404(
        request,
        SamplingPlan.objects.select_related("centre", "internal_verifier"),
        pk,
        _knows_plan,
        what="plan",
    )
    return change_or_403(
        request, plan, can_view_plan, "Only the centre's IVs, administrators and EQAs see its sampling plans."
    )


def _knows_sample(access: Access, sample: Sample) -> bool:
    return can_know_centre(access, sample.plan.centre)


def _managed_sample(request: AuthenticatedRequest, pk: int) -> Sample:
    """A sample of a plan the person may see (404 otherwise) and change (403 otherwise)."""
    sample = read_or_404(
        request,
        Sample.objects.select_related(
            "plan__centre", "plan__internal_verifier", "enrolment__learner", "specification"
        ),
        pk,
        _knows_sample,
        what="sample",
    )
    change_or_403(
        request,
        sample.plan,
        can_view_plan,
        "Only the centre's IVs, administrators and EQAs see its sampling plans.",
    )
    change_or_403(
        request, sample.plan, can_manage_plan, "Only the plan's internal verifier changes its samples."
    )
    return sample


@require_http_methods(["GET", "POST"])
def strategy(request: AuthenticatedRequest, centre_pk: int) -> HttpResponse:
    """The centre's sampling strategy: risk ratings per assessor and how much each rating samples."""
    centre = change_or_403(
        request,
        known_centre(request, centre_pk),
        can_view_strategy,
        "Only the centre's administrators, IVs and EQAs see its sampling strategy.",
    )
    if request.method == "POST":
        change_or_403(
            request,
            centre,
            can_edit_strategy,
            "Only the centre's administrators and IVs change its sampling strategy.",
        )
    editable = can_edit_strategy(access_of(request), centre)
    page = selectors.strategy_page(centre=centre)
    form = StrategyForm(request.POST or None, page=page)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                update_strategy(
                    centre=centre,
                    by=request.user,
                    period_months=form.cleaned_data["period_months"],
                    interim_percent=form.cleaned_data["interim_percent"],
                    levels=form.levels(),
                    ratings=form.ratings(),
                )
            except PortfolioError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Sampling strategy of {centre.name} saved.")
                return redirect("quality:strategy", centre.pk)
        status = 400
    return render(
        request,
        "quality/strategy.html",
        {"centre": centre, "page": page, "form": form, "editable": editable},
        status=status,
    )


@require_GET
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """The IV's own plans with progress, coverage, agreement by assessor and open actions."""
    if not can_view_iqa_dashboard(access_of(request)):
        raise PermissionDenied("The IQA dashboard is for internal verifiers.")
    return render(
        request,
        "quality/dashboard.html",
        {"dashboard": selectors.dashboard(user=request.user), "form": GeneratePlanForm()},
    )


@require_POST
def plan_generate(request: AuthenticatedRequest, centre_pk: int) -> HttpResponse:
    centre = change_or_403(
        request,
        known_centre(request, centre_pk),
        can_generate_plan,
        "Only the centre's internal verifiers generate sampling plans.",
    )
    form = GeneratePlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the date the plan's period starts.")
        return redirect("quality:dashboard")
    try:
        plan = plan_services.generate_plan(
            centre=centre,
            internal_verifier=request.user,
            period_start=form.cleaned_data["period_start"],
            by=request.user,
            seed=form.cleaned_data["seed"],
        )
    except PortfolioError as error:
        messages.error(request, str(error))
        return redirect("quality:dashboard")
    messages.success(request, f"Sampling plan generated (seed {plan.seed}).")
    return redirect("quality:plan", plan.pk)


def _plan_page(
    request: AuthenticatedRequest,
    plan: SamplingPlan,
    *,
    status: int = 200,
    error: str = "",
    focus_message: bool = False,
) -> HttpResponse:
    manage = can_manage_plan(access_of(request), plan)
    page = selectors.plan_page(plan=plan)
    context = {
        **vars(page),
        "samples": paginate(request, page.samples, noun="sample"),
        "manage": manage,
        "error": error,
        "focus_message": focus_message,
        "add_form": AddSampleForm(choices=selectors.sample_choices(plan)) if manage else None,
    }
    template = "quality/plan.html#samples" if request.htmx else "quality/plan.html"
    return render(request, template, context, status=status)


@require_GET
@vary_on_headers("HX-Request")
def plan(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _plan_page(request, _visible_plan(request, pk))


def _after_change(
    request: AuthenticatedRequest, plan: SamplingPlan, message: str, *, focus_message: bool = False
) -> HttpResponse:
    """The samples again for htmx (the message in the page's status region, and focus on it when the control
    used has gone, as after a removal), otherwise back to the plan."""
    messages.success(request, message)
    if request.htmx:
        return _plan_page(request, plan, focus_message=focus_message)
    page = f"?{request.GET.urlencode()}" if request.GET else ""
    return redirect(reverse("quality:plan", args=[plan.pk]) + page)


@require_POST
@vary_on_headers("HX-Request")
def sample_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = change_or_403(
        request,
        _visible_plan(request, pk),
        can_manage_plan,
        "Only the plan's internal verifier changes its samples.",
    )
    form = AddSampleForm(request.POST, choices=selectors.sample_choices(plan))
    if not form.is_valid():
        return _plan_page(request, plan, status=400, error="Choose a learner's unit from the list.")
    enrolment_id, _, specification_id = form.cleaned_data["unit"].partition(":")
    enrolled = get_object_or_404(
        EnrolledSpecification.objects.select_related("enrolment__learner", "specification"),
        enrolment_id=enrolment_id,
        specification_id=specification_id,
    )
    try:
        plan_services.add_sample(
            plan=plan,
            by=request.user,
            enrolment=enrolled.enrolment,
            specification=enrolled.specification,
            kind=form.cleaned_data["kind"] or None,
            planned_for=form.cleaned_data["planned_for"],
            reason=form.cleaned_data["reason"],
        )
    except PortfolioError as error:
        return _plan_page(request, plan, status=400, error=str(error))
    return _after_change(request, plan, "Sample added.")


@require_POST
@vary_on_headers("HX-Request")
def sample_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sample = _managed_sample(request, pk)
    try:
        plan_services.remove_sample(sample=sample, by=request.user)
    except PortfolioError as error:
        return _plan_page(request, sample.plan, status=400, error=str(error))
    return _after_change(request, sample.plan, "Sample removed.", focus_message=True)


@require_POST
@vary_on_headers("HX-Request")
def sample_move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sample = _managed_sample(request, pk)
    form = MoveSampleForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, sample.plan, status=400, error="Give a valid date.")
    try:
        plan_services.move_sample(
            sample=sample,
            by=request.user,
            direction=form.cleaned_data["direction"] or None,
            planned_for=form.cleaned_data["planned_for"],
        )
    except PortfolioError as error:
        return _plan_page(request, sample.plan, status=400, error=str(error))
    return _after_change(request, sample.plan, "Sample moved.")
