"""The IV's sample page and decision, and the admin check and completion confirmation signed from it."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedRequest
from assessments.models import SignOff
from assessments.services.signatures import WRONG_PASSWORD
from centres.access import access_of, change_or_403, read_or_404
from portfolio.services import PortfolioError
from quality.forms import ActionResponseForm, AdminCheckForm, CompletionForm, SampleDecisionForm
from quality.models import Sample
from quality.permissions import can_decide_sample, can_sign_for_iv, can_view_sample
from quality.rules import assessed_by
from quality.selectors.samples import sample_page, sample_queryset
from quality.services.samples import VACS, decide_sample
from quality.services.signatures import confirm_completion, record_admin_check
from signin.throttling import password_problem


def visible_sample(request: AuthenticatedRequest, pk: int) -> Sample:
    return read_or_404(request, sample_queryset(), pk, can_view_sample, what="sample")


def _sample_page(
    request: AuthenticatedRequest,
    sample: Sample,
    *,
    form: SampleDecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = sample_page(sample=sample)
    signatures = page.signatures
    access = access_of(request)
    may_sign = page.summative_agreed and can_sign_for_iv(access, sample)
    context = {
        **vars(page),
        "summative_agreed": page.summative_agreed,
        **{
            "can_decide": can_decide_sample(access, sample) and page.decision is None,
            "own_decisions": _own_decisions(request, sample),
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
        },
    }
    return render(request, "quality/sample.html", context, status=status)


def _own_decisions(request: AuthenticatedRequest, sample: Sample) -> bool:
    """The plan's IV looking at decisions they made themselves (as the learner's or the sample's assessor)."""
    return request.user.pk == sample.plan.internal_verifier_id and assessed_by(
        request.user.pk, enrolment=sample.enrolment, assessor_ids=[sample.assessor_id]
    )


OWN_DECISIONS = (
    "You assessed this: these are your own assessment decisions, and an internal verifier never verifies their "
    "own. Ask another internal verifier to take this sample."
)


@require_GET
def sample_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """What the IV looks at: the sampled criteria, the learner's evidence and the assessor's judgements."""
    return _sample_page(request, visible_sample(request, pk))


@require_POST
def sample_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sample = visible_sample(request, pk)
    change_or_403(
        request,
        sample,
        can_decide_sample,
        OWN_DECISIONS
        if _own_decisions(request, sample)
        else "Only the plan's internal verifier decides a sample.",
    )
    form = SampleDecisionForm(request.POST, sample=sample)
    if not form.is_valid():
        return _sample_page(request, sample, form=form, status=400)
    data = form.cleaned_data
    try:
        decision = decide_sample(
            iv=request.user,
            sample=sample,
            agrees=data["decision"] == "agree",
            vacs={name: data[name] for name in VACS},
            feedback=data["feedback"],
            judgements=list(data["judgements"]),
            actions=data["actions"],
        )
    except PortfolioError as error:
        form.add_error(None, str(error))
        return _sample_page(request, sample, form=form, status=400)
    messages.success(
        request,
        "Decision recorded: you agree with the assessor."
        if decision.agrees
        else "Decision recorded: you disagree; the judgements looked at are reopened for the assessor.",
    )
    return redirect("quality:sample_detail", sample.pk)


def _iv_signature(request: AuthenticatedRequest, pk: int, *, completion: bool) -> HttpResponse:
    sample = change_or_403(
        request,
        visible_sample(request, pk),
        can_sign_for_iv,
        "Only the internal verifier signs the admin check and completion.",
    )
    form = (CompletionForm if completion else AdminCheckForm)(request.POST)
    if not form.is_valid():
        messages.error(request, "Give your password" + ("." if completion else " and the admin check date."))
        return redirect("quality:sample_detail", sample.pk)
    password = form.cleaned_data["password"]
    if problem := password_problem(request, user=request.user, password=password, wrong=WRONG_PASSWORD):
        messages.error(request, problem)
        return redirect("quality:sample_detail", sample.pk)
    try:
        if completion:
            signature = confirm_completion(
                iv=request.user,
                enrolment=sample.enrolment,
                specification=sample.specification,
                password=form.cleaned_data["password"],
            )
        else:
            signature = record_admin_check(
                iv=request.user,
                enrolment=sample.enrolment,
                specification=sample.specification,
                password=form.cleaned_data["password"],
                checked_on=form.cleaned_data["checked_on"],
            )
    except PortfolioError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Signed: {signature.get_role_display()} ({signature.signed_at:%d/%m/%Y %H:%M})."
        )
    return redirect("quality:sample_detail", sample.pk)


@require_POST
def sample_admin_check(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _iv_signature(request, pk, completion=False)


@require_POST
def sample_completion(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _iv_signature(request, pk, completion=True)
