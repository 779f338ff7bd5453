"""Signing a unit off (the learner, then the assessor) and reopening it (the assessor, with a reason)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from assessments.permissions import can_reopen, can_sign
from assessments.services import AssessmentError
from assessments.services.signatures import WRONG_PASSWORD, matrix_url, sign_off
from assessments.services.signatures import reopen as reopen_unit
from centres.access import change_or_403
from centres.lookups import enrolled_specification, visible_enrolment
from centres.models import Enrolment
from signin.throttling import password_problem
from units.models import Specification


def _sign_off_url(enrolment: Enrolment, specification: Specification) -> str:
    return matrix_url(enrolment, specification) + "#sign-off"


@require_POST
def sign(request: AuthenticatedRequest, pk: int, specification_pk: int) -> HttpResponse:
    enrolment = change_or_403(
        request,
        visible_enrolment(request, pk),
        can_sign,
        "Only the learner and their assessor sign a unit off.",
    )
    specification = enrolled_specification(enrolment, specification_pk)
    password = request.POST.get("password", "")
    if problem := password_problem(request, user=request.user, password=password, wrong=WRONG_PASSWORD):
        messages.error(request, problem)
        return redirect(_sign_off_url(enrolment, specification))
    try:
        signature = sign_off(
            user=request.user, enrolment=enrolment, specification=specification, password=password
        )
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Signed: {signature.get_role_display()} ({signature.signed_at:%d/%m/%Y %H:%M})."
        )
    return redirect(_sign_off_url(enrolment, specification))


@require_POST
def reopen(request: AuthenticatedRequest, pk: int, specification_pk: int) -> HttpResponse:
    enrolment = change_or_403(
        request,
        visible_enrolment(request, pk),
        can_reopen,
        "Only the learner's assessor reopens a signed-off unit.",
    )
    specification = enrolled_specification(enrolment, specification_pk)
    try:
        reopen_unit(
            user=request.user,
            enrolment=enrolment,
            specification=specification,
            reason=request.POST.get("reason", ""),
        )
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{specification.code} reopened: its signatures are void and its judgements open."
        )
    return redirect(_sign_off_url(enrolment, specification))
