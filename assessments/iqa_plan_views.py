"""The sampling strategy, the IV's dashboard and the sampling plan pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from assessments import iqa_plans
from assessments.forms_iqa_plans import AddSampleForm, GeneratePlanForm, MoveSampleForm, StrategyForm
from assessments.models import Sample, SamplingPlan
from assessments.permissions import (
    can_edit_strategy,
    can_generate_plan,
    can_manage_plan,
    can_view_iqa_dashboard,
    can_view_plan,
    can_view_strategy,
)
from assessments.services import AssessmentError
from portfolio.models import Centre, EnrolledSpecification
from portfolio.permissions import can_know_centre


def _known_centre(request: HttpRequest, pk: int) -> Centre:
    centre = get_object_or_404(Centre, pk=pk)
    if not can_know_centre(request.user, centre):
        raise Http404("No such centre")
    return centre


def _visible_plan(request: HttpRequest, pk: int) -> SamplingPlan:
    plan = get_object_or_404(SamplingPlan.objects.select_related("centre", "internal_verifier"), pk=pk)
    if not can_know_centre(request.user, plan.centre):
        raise Http404("No such plan")
    if not can_view_plan(request.user, plan):
        raise PermissionDenied("Only the centre's IVs, administrators and EQAs see its sampling plans.")
    return plan


def _managed_sample(request: HttpRequest, pk: int) -> Sample:
    sample = get_object_or_404(
        Sample.objects.select_related("plan__centre", "enrolment__learner", "specification"), pk=pk
    )
    _visible_plan(request, sample.plan_id)
    if not can_manage_plan(request.user, sample.plan):
        raise PermissionDenied("Only the plan's internal verifier changes its samples.")
    return sample


@require_http_methods(["GET", "POST"])
def strategy(request: HttpRequest, centre_pk: int) -> HttpResponse:
    """The centre's sampling strategy: risk ratings per assessor and how much each rating samples."""
    centre = _known_centre(request, centre_pk)
    if not can_view_strategy(request.user, centre):
        raise PermissionDenied("Only the centre's administrators, IVs and EQAs see its sampling strategy.")
    editable = can_edit_strategy(request.user, centre)
    if request.method == "POST" and not editable:
        raise PermissionDenied("Only the centre's administrators and IVs change its sampling strategy.")
    page = iqa_plans.strategy_context(centre=centre)
    form = StrategyForm(request.POST or None, page=page)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                iqa_plans.update_strategy(
                    centre=centre,
                    by=request.user,
                    period_months=form.cleaned_data["period_months"],
                    interim_percent=form.cleaned_data["interim_percent"],
                    levels=form.levels(),
                    ratings=form.ratings(),
                )
            except AssessmentError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Sampling strategy of {centre.name} saved.")
                return redirect("assessments:iqa_strategy", centre.pk)
        status = 400
    return render(
        request,
        "assessments/iqa/strategy.html",
        {"centre": centre, "page": page, "form": form, "editable": editable},
        status=status,
    )


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The IV's own plans with progress, coverage, agreement by assessor and open actions."""
    if not can_view_iqa_dashboard(request.user):
        raise PermissionDenied("The IQA dashboard is for internal verifiers.")
    return render(
        request,
        "assessments/iqa/dashboard.html",
        {"dashboard": iqa_plans.dashboard(user=request.user), "form": GeneratePlanForm()},
    )


@require_POST
def plan_generate(request: HttpRequest, centre_pk: int) -> HttpResponse:
    centre = _known_centre(request, centre_pk)
    if not can_generate_plan(request.user, centre):
        raise PermissionDenied("Only the centre's internal verifiers generate sampling plans.")
    form = GeneratePlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the date the plan's period starts.")
        return redirect("assessments:iqa_dashboard")
    try:
        plan = iqa_plans.generate_plan(
            centre=centre,
            internal_verifier=request.user,
            period_start=form.cleaned_data["period_start"],
            by=request.user,
            seed=form.cleaned_data["seed"],
        )
    except AssessmentError as error:
        messages.error(request, str(error))
        return redirect("assessments:iqa_dashboard")
    messages.success(request, f"Sampling plan generated (seed {plan.seed}).")
    return redirect("assessments:iqa_plan", plan.pk)


def _plan_page(
    request: HttpRequest, plan: SamplingPlan, *, status: int = 200, error: str = ""
) -> HttpResponse:
    manage = can_manage_plan(request.user, plan)
    context = {
        **iqa_plans.plan_context(plan=plan),
        "manage": manage,
        "error": error,
        "add_form": AddSampleForm(choices=iqa_plans.sample_choices(plan)) if manage else None,
    }
    template = "assessments/iqa/plan.html#samples" if request.htmx else "assessments/iqa/plan.html"
    return render(request, template, context, status=status)


@require_GET
@vary_on_headers("HX-Request")
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_page(request, _visible_plan(request, pk))


def _after_change(request: HttpRequest, plan: SamplingPlan, message: str) -> HttpResponse:
    messages.success(request, message)
    return _plan_page(request, plan) if request.htmx else redirect("assessments:iqa_plan", plan.pk)


@require_POST
@vary_on_headers("HX-Request")
def sample_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _visible_plan(request, pk)
    if not can_manage_plan(request.user, plan):
        raise PermissionDenied("Only the plan's internal verifier changes its samples.")
    form = AddSampleForm(request.POST, choices=iqa_plans.sample_choices(plan))
    if not form.is_valid():
        return _plan_page(request, plan, status=400, error="Choose a learner's unit from the list.")
    enrolment_id, _, specification_id = form.cleaned_data["unit"].partition(":")
    enrolled = get_object_or_404(
        EnrolledSpecification.objects.select_related("enrolment__learner", "specification"),
        enrolment_id=enrolment_id,
        specification_id=specification_id,
    )
    try:
        iqa_plans.add_sample(
            plan=plan,
            by=request.user,
            enrolment=enrolled.enrolment,
            specification=enrolled.specification,
            kind=form.cleaned_data["kind"] or None,
            planned_for=form.cleaned_data["planned_for"],
            reason=form.cleaned_data["reason"],
        )
    except AssessmentError as error:
        return _plan_page(request, plan, status=400, error=str(error))
    return _after_change(request, plan, "Sample added.")


@require_POST
@vary_on_headers("HX-Request")
def sample_remove(request: HttpRequest, pk: int) -> HttpResponse:
    sample = _managed_sample(request, pk)
    try:
        iqa_plans.remove_sample(sample=sample, by=request.user)
    except AssessmentError as error:
        return _plan_page(request, sample.plan, status=400, error=str(error))
    return _after_change(request, sample.plan, "Sample removed.")


@require_POST
@vary_on_headers("HX-Request")
def sample_move(request: HttpRequest, pk: int) -> HttpResponse:
    sample = _managed_sample(request, pk)
    form = MoveSampleForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, sample.plan, status=400, error="Give a valid date.")
    try:
        iqa_plans.move_sample(
            sample=sample,
            by=request.user,
            direction=form.cleaned_data["direction"] or None,
            planned_for=form.cleaned_data["planned_for"],
        )
    except AssessmentError as error:
        return _plan_page(request, sample.plan, status=400, error=str(error))
    return _after_change(request, sample.plan, "Sample moved.")
