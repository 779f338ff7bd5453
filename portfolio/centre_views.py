"""Centre pages: the people of a centre, their roles and invitations, and learners' enrolments.

Administrators change things; EQAs read the same pages with the forms and buttons left out (a write answers
403); other members of the centre get 403, and everyone else 404, as if the centre did not exist.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.models import User
from portfolio import centre_selectors as selectors
from portfolio import people
from portfolio.centre_forms import (
    EnrolmentChangeForm,
    EnrolmentForm,
    PersonRolesForm,
    RegisterPersonForm,
    StatusFilterForm,
)
from portfolio.models import Centre, Enrolment, Membership
from portfolio.permissions import can_know_centre, can_manage_centre, can_view_centre
from portfolio.services import PortfolioError


def visible_centre(request: HttpRequest, pk: int, *, write: bool = False) -> Centre:
    """The centre if the person may read (or, with `write`, change) its pages; 404 to non-members, else 403."""
    centre = Centre.objects.filter(pk=pk).first()
    if centre is None or not can_know_centre(request.user, centre):
        raise Http404("No such centre")
    if not (can_manage_centre if write else can_view_centre)(request.user, centre):
        raise PermissionDenied
    return centre


def _posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data of a POST (even an empty one, so its errors show), None for a GET."""
    return request.POST if request.method == "POST" else None


def _person(centre: Centre, user_pk: int) -> selectors.Person:
    try:
        return selectors.person_in_centre(centre=centre, user_pk=user_pk)
    except User.DoesNotExist:
        raise Http404("No such person at this centre") from None


def _enrolment(centre: Centre, pk: int) -> Enrolment:
    try:
        return selectors.enrolment_in_centre(centre=centre, pk=pk)
    except Enrolment.DoesNotExist:
        raise Http404("No such enrolment at this centre") from None


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The centres this person administers or quality-assures."""
    return render(
        request, "portfolio/centre/index.html", {"centres": selectors.centres_overseen(user=request.user)}
    )


@require_GET
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    centre = visible_centre(request, pk)
    return render(
        request,
        "portfolio/centre/overview.html",
        {
            "centre": centre,
            "overview": selectors.centre_overview(centre=centre),
            "can_manage": can_manage_centre(request.user, centre),
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def person_list(request: HttpRequest, pk: int) -> HttpResponse:
    centre = visible_centre(request, pk)
    query = request.GET.get("q", "")
    template = "portfolio/centre/people.html"
    return render(
        request,
        f"{template}#results" if request.htmx else template,
        {
            "centre": centre,
            "people": selectors.people_list(centre=centre, query=query),
            "query": query,
            "can_manage": can_manage_centre(request.user, centre),
        },
    )


@require_http_methods(["GET", "POST"])
def register_person(request: HttpRequest, pk: int) -> HttpResponse:
    centre = visible_centre(request, pk, write=True)
    form = RegisterPersonForm(_posted(request))
    if form.is_valid():
        data = form.cleaned_data
        existing = selectors.person_by_email(centre=centre, email=data["email"])
        try:
            user = people.register_person(
                centre=centre,
                email=data["email"],
                full_name=data["full_name"],
                roles=data["roles"],
                invited_by=request.user,
                request=request,
            )
        except PortfolioError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _registered_message(existing, user, data["full_name"], data["roles"]))
            return redirect("centre:people", pk=centre.pk)
    return render(request, "portfolio/centre/register_person.html", {"centre": centre, "form": form})


def _registered_message(
    existing: selectors.Person | None, user: User, given_name: str, roles: list[str]
) -> str:
    if existing is None:
        return (
            f"{user} is registered as {people.role_phrase(roles)}. An invitation to choose a password has been "
            f"sent to {user.email}."
        )
    added = set(roles) - set(existing.roles)
    if not added:
        return (
            f"{user} ({user.email}) already holds those roles here: nothing changed and no e-mail was sent."
        )
    name = (
        "" if given_name.split() == user.full_name.split() else f" (on their records as “{user.full_name}”)"
    )
    return (
        f"{user.email} already has an account{name}: their name and password are unchanged. Added "
        f"{people.role_phrase(added)}, and sent them an e-mail saying so."
    )


@require_http_methods(["GET", "POST"])
def person_roles(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    centre = visible_centre(request, pk, write=True)
    person = _person(centre, user_pk)
    form = PersonRolesForm(_posted(request), initial={"roles": person.roles})
    if form.is_valid():
        try:
            roles = people.set_roles(
                centre=centre, user=person.user, roles=form.cleaned_data["roles"], changed_by=request.user
            )
        except PortfolioError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{person.user} is now {people.role_phrase(roles)} at {centre}.")
            if person.user.pk == request.user.pk and Membership.Role.ADMIN not in roles:
                return redirect("centre:index")
            return redirect("centre:people", pk=centre.pk)
    return render(
        request, "portfolio/centre/person_roles.html", {"centre": centre, "person": person, "form": form}
    )


@require_POST
def resend_invitation(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    centre = visible_centre(request, pk, write=True)
    person = _person(centre, user_pk)
    try:
        people.resend_invitation(centre=centre, user=person.user, sent_by=request.user, request=request)
    except PortfolioError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"A new invitation has been sent to {person.user.email}.")
    return redirect("centre:people", pk=centre.pk)


@require_GET
@vary_on_headers("HX-Request")
def enrolment_list(request: HttpRequest, pk: int) -> HttpResponse:
    centre = visible_centre(request, pk)
    filter_form = StatusFilterForm(request.GET)
    status = filter_form.cleaned_data["status"] if filter_form.is_valid() else ""
    template = "portfolio/centre/enrolments.html"
    return render(
        request,
        f"{template}#results" if request.htmx else template,
        {
            "centre": centre,
            "filter_form": filter_form,
            "status": Enrolment.Status(status) if status else None,
            "enrolments": selectors.enrolment_list(centre=centre, status=status),
            "can_manage": can_manage_centre(request.user, centre),
        },
    )


@require_http_methods(["GET", "POST"])
def enrolment_create(request: HttpRequest, pk: int) -> HttpResponse:
    centre = visible_centre(request, pk, write=True)
    form = EnrolmentForm(_posted(request), centre=centre)
    if form.is_valid():
        try:
            enrolment = people.enrol(centre=centre, by=request.user, **form.cleaned_data)
        except PortfolioError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"{enrolment.learner} is enrolled from {enrolment.start_date:%d/%m/%Y}."
            )
            return redirect("centre:enrolments", pk=centre.pk)
    return render(request, "portfolio/centre/enrolment_form.html", {"centre": centre, "form": form})


@require_http_methods(["GET", "POST"])
def enrolment_edit(request: HttpRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    centre = visible_centre(request, pk, write=True)
    enrolment = _enrolment(centre, enrolment_pk)
    form = EnrolmentChangeForm(_posted(request), centre=centre, enrolment=enrolment)
    if form.is_valid():
        try:
            people.update_enrolment(enrolment=enrolment, by=request.user, **form.cleaned_data)
        except PortfolioError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"The enrolment of {enrolment.learner} is saved.")
            return redirect("centre:enrolments", pk=centre.pk)
    return render(
        request,
        "portfolio/centre/enrolment_form.html",
        {"centre": centre, "form": form, "enrolment": enrolment},
    )
