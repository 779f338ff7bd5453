"""Actions to closure: the assessor responds, the IV who set the action closes it; the assessor's page of IQA
feedback and actions."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedRequest
from centres.access import Access, change_or_403, read_or_404
from portfolio.services import PortfolioError
from quality.forms import ActionResponseForm
from quality.models import Action
from quality.permissions import can_close_action, can_respond_to_action, can_view_sample
from quality.selectors.samples import actions_queryset, decisions_for
from quality.services.actions import close_action, respond_to_action


def _knows_action(access: Access, action: Action) -> bool:
    return (
        can_respond_to_action(access, action)
        or can_close_action(access, action)
        or can_view_sample(access, action.sample)
    )


def _action(request: AuthenticatedRequest, pk: int) -> Action:
    return read_or_404(
        request,
        Action.objects.select_related("sample__plan", "sample__enrolment", "set_by"),
        pk,
        _knows_action,
        what="action",
    )


@require_POST
def action_respond(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    action = change_or_403(
        request,
        _action(request, pk),
        can_respond_to_action,
        "Only the person the action was set for responds to it.",
    )
    try:
        respond_to_action(assessor=request.user, action=action, response=request.POST.get("response", ""))
    except PortfolioError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Response sent to the internal verifier.")
    return redirect("quality:my_iqa")


@require_POST
def action_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    change_or_403(
        request,
        action,
        can_close_action,
        f"Only {action.set_by.full_name}, who set this action, can close it.",
    )
    try:
        close_action(iv=request.user, action=action)
    except PortfolioError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Action closed.")
    return redirect("quality:sample_detail", action.sample_id)


@require_GET
def my_iqa(request: AuthenticatedRequest) -> HttpResponse:
    """An assessor's feedback from internal verification, and their actions with a form to respond."""
    return render(
        request,
        "quality/my_iqa.html",
        {
            "decisions": decisions_for(assessor=request.user),
            "actions": list(actions_queryset().filter(owner=request.user)),
            "response_form": ActionResponseForm(),
        },
    )
