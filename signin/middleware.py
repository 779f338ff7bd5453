"""After the password, the second factor: a person who must use one (or has chosen one) reaches only the
second-factor pages, the sign-out and the pages anyone may open until they have passed it in this session.

Whether a session has passed is read here, from the session (the device django-otp's `login` names), once per
request and kept on the request, never on the user (`centres.access` is the one answer to who a person is).
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from centres.access import access_of
from signin.policy import second_factor_required
from signin.services import has_second_factor

# Session key: this session's person has no second factor and needs none (learners), so it is not asked again.
NOT_NEEDED = "signin.second_factor_not_needed"
OPEN_VIEWS = {"logout"}
_PASSED = "_second_factor_passed"


def second_factor_not_required[F: Callable[..., Any]](view: F) -> F:
    """Mark a view that a person who has not passed the second factor yet may open (the second-factor pages)."""
    view.second_factor_required = False  # type: ignore[attr-defined]
    return view


def pass_second_factor(request: HttpRequest, device: Device) -> None:
    """Record in the session that its person passed `device` (a new session key: the session gained rights)."""
    request.session.cycle_key()
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    request.session.pop(NOT_NEEDED, None)
    setattr(request, _PASSED, True)


def second_factor_passed(request: HttpRequest) -> bool:
    """Whether this session passed a second factor that still belongs to its person (one query, once)."""
    passed = getattr(request, _PASSED, None)
    if passed is None:
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        device = Device.from_persistent_id(persistent_id) if persistent_id else None
        passed = device is not None and device.user_id == request.user.pk
        setattr(request, _PASSED, passed)
    return bool(passed)


def second_factor_due(request: HttpRequest) -> bool:
    """Whether this signed-in session must still pass a second factor."""
    user = request.user
    if not user.is_authenticated:
        return False
    if request.session.get(NOT_NEEDED) and not second_factor_required(access_of(request)):
        return False
    if second_factor_passed(request):
        return False
    if second_factor_required(access_of(request)) or has_second_factor(user):
        return True
    request.session[NOT_NEEDED] = True
    return False


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not getattr(view, "second_factor_required", True) or not getattr(view, "login_required", True):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_VIEWS:
            return None
        if not second_factor_due(request):
            return None
        target = f"{reverse('signin:second_factor')}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
