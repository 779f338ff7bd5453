"""The IV's sample page and decision, the admin check and completion confirmation, and actions to closure."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from assessments import iqa_samples, services
from assessments.iqa_sample_forms import (
    ActionResponseForm,
    AdminCheckForm,
    CompletionForm,
    SampleDecisionForm,
)
from assessments.models import Action, Sample, SignOff
from assessments.permissions import (
    can_close_action,
    can_decide_sample,
    can_respond_to_action,
    can_view_sample,
)
from assessments.services import AssessmentError


def _visible_sample(request: HttpRequest, pk: int) -> Sample:
    try:
        sample = iqa_samples.sample_queryset().get(pk=pk)
    except Sample.DoesNotExist:
        raise Http404("No such sample") from None
    if not can_view_sample(request.user, sample):
        raise Http404("No such sample")
    return sample


def _may_sign_for_iv(request: HttpRequest, sample: Sample) -> bool:
    return request.user.pk in (sample.plan.internal_verifier_id, sample.enrolment.internal_verifier_id)


def _sample_page(
    request: HttpRequest, sample: Sample, *, form: SampleDecisionForm | None = None, status: int = 200
) -> HttpResponse:
    context = iqa_samples.sample_context(sample=sample)
    signatures = context["signatures"]
    may_sign = context["summative_agreed"] and _may_sign_for_iv(request, sample)
    context.update(
        {
            "can_decide": can_decide_sample(request.user, sample) and context["decision"] is None,
            "form": form or SampleDecisionForm(sample=sample),
            "admin_check_form": AdminCheckForm()
            if may_sign and SignOff.Role.ADMIN_CHECK not in signatures
            else None,
            "completion_form": CompletionForm()
            if may_sign
            and SignOff.Role.ADMIN_CHECK in signatures
            and SignOff.Role.COMPLETION not in signatures
            else None,
            "response_form": ActionResponseForm(),
        }
    )
    return render(request, "assessments/iqa/sample.html", context, status=status)


@require_GET
def sample_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What the IV looks at: the sampled criteria, the learner's evidence and the assessor's judgements."""
    return _sample_page(request, _visible_sample(request, pk))


@require_POST
def sample_decide(request: HttpRequest, pk: int) -> HttpResponse:
    sample = _visible_sample(request, pk)
    if not can_decide_sample(request.user, sample):
        raise PermissionDenied(
            "Only the plan's internal verifier decides a sample, never on their own decisions."
        )
    form = SampleDecisionForm(request.POST, sample=sample)
    if not form.is_valid():
        return _sample_page(request, sample, form=form, status=400)
    data = form.cleaned_data
    try:
        decision = iqa_samples.decide_sample(
            iv=request.user,
            sample=sample,
            agrees=data["decision"] == "agree",
            vacs={name: data[name] for name in iqa_samples.VACS},
            feedback=data["feedback"],
            judgements=list(data["judgements"]),
            actions=data["actions"],
        )
    except AssessmentError as error:
        form.add_error(None, str(error))
        return _sample_page(request, sample, form=form, status=400)
    messages.success(
        request,
        "Decision recorded: you agree with the assessor."
        if decision.agrees
        else "Decision recorded: you disagree; the judgements looked at are reopened for the assessor.",
    )
    return redirect("assessments:sample_detail", sample.pk)


def _iv_signature(request: HttpRequest, pk: int, *, completion: bool) -> HttpResponse:
    sample = _visible_sample(request, pk)
    if not _may_sign_for_iv(request, sample):
        raise PermissionDenied("Only the internal verifier signs the admin check and completion.")
    form = (CompletionForm if completion else AdminCheckForm)(request.POST)
    if not form.is_valid():
        messages.error(request, "Give your password" + ("." if completion else " and the admin check date."))
        return redirect("assessments:sample_detail", sample.pk)
    try:
        if completion:
            signature = services.confirm_completion(
                iv=request.user,
                enrolment=sample.enrolment,
                specification=sample.specification,
                password=form.cleaned_data["password"],
            )
        else:
            signature = services.record_admin_check(
                iv=request.user,
                enrolment=sample.enrolment,
                specification=sample.specification,
                password=form.cleaned_data["password"],
                checked_on=form.cleaned_data["checked_on"],
            )
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Signed: {signature.get_role_display()} ({signature.signed_at:%d/%m/%Y %H:%M})."
        )
    return redirect("assessments:sample_detail", sample.pk)


@require_POST
def sample_admin_check(request: HttpRequest, pk: int) -> HttpResponse:
    return _iv_signature(request, pk, completion=False)


@require_POST
def sample_completion(request: HttpRequest, pk: int) -> HttpResponse:
    return _iv_signature(request, pk, completion=True)


def _action(request: HttpRequest, pk: int) -> Action:
    action = get_object_or_404(
        Action.objects.select_related("sample__plan", "sample__enrolment", "set_by"), pk=pk
    )
    known = (
        can_respond_to_action(request.user, action)
        or can_close_action(request.user, action)
        or can_view_sample(request.user, action.sample)
    )
    if not known:
        raise Http404("No such action")
    return action


@require_POST
def action_respond(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    if not can_respond_to_action(request.user, action):
        raise PermissionDenied("Only the person the action was set for responds to it.")
    try:
        iqa_samples.respond_to_action(
            assessor=request.user, action=action, response=request.POST.get("response", "")
        )
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Response sent to the internal verifier.")
    return redirect("assessments:my_iqa")


@require_POST
def action_close(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    if not can_close_action(request.user, action):
        raise PermissionDenied(f"Only {action.set_by.full_name}, who set this action, can close it.")
    try:
        iqa_samples.close_action(iv=request.user, action=action)
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Action closed.")
    return redirect("assessments:sample_detail", action.sample_id)


@require_GET
def my_iqa(request: HttpRequest) -> HttpResponse:
    """An assessor's feedback from internal verification, and their actions with a form to respond."""
    return render(
        request,
        "assessments/iqa/my_iqa.html",
        {
            "decisions": iqa_samples.decisions_for(assessor=request.user),
            "actions": list(iqa_samples.actions_queryset().filter(owner=request.user)),
            "response_form": ActionResponseForm(),
        },
    )
