"""Centre pages: the overview, and the people of a centre with their roles and invitations.

Administrators change things; EQAs read the same pages with the forms and buttons left out (a write answers
403); other members of the centre get 403, and everyone else 404, as if the centre did not exist.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.http import AuthenticatedRequest
from accounts.models import User
from accounts.paging import paginate
from centres import selectors
from centres.access import access_of
from centres.forms import PersonRolesForm, RegisterPersonForm
from centres.lookups import managed_centre, visible_centre
from centres.models import Centre, Membership
from centres.permissions import can_manage_centre
from centres.services import CentreError, people
from centres.services.invitations import role_phrase


def posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data of a POST (even an empty one, so its errors show), None for a GET."""
    return request.POST if request.method == "POST" else None


def _person(centre: Centre, user_pk: int) -> selectors.Person:
    try:
        return selectors.person_in_centre(centre=centre, user_pk=user_pk)
    except User.DoesNotExist:
        raise Http404("No such person at this centre") from None


@require_GET
def index(request: AuthenticatedRequest) -> HttpResponse:
    """The centres this person administers or quality-assures."""
    return render(request, "centres/index.html", {"centres": selectors.centres_overseen(user=request.user)})


@require_GET
def overview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    centre = visible_centre(request, pk)
    return render(
        request,
        "centres/overview.html",
        {
            "centre": centre,
            "overview": selectors.centre_overview(centre=centre),
            "can_manage": can_manage_centre(access_of(request), centre),
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def person_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    centre = visible_centre(request, pk)
    query = request.GET.get("q", "")
    template = "centres/people.html"
    paged = paginate(
        request, selectors.people_list(centre=centre, query=query), noun="person", plural="people"
    )
    return render(
        request,
        f"{template}#results" if request.htmx else template,
        {
            "centre": centre,
            "paged": paged,
            "people": [selectors.person_of(user) for user in paged],
            "query": query,
            "can_manage": can_manage_centre(access_of(request), centre),
        },
    )


@require_http_methods(["GET", "POST"])
def register_person(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    centre = managed_centre(request, pk)
    form = RegisterPersonForm(posted(request))
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
        except CentreError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _registered_message(existing, user, data["full_name"], data["roles"]))
            return redirect("centres:people", pk=centre.pk)
    return render(request, "centres/register_person.html", {"centre": centre, "form": form})


def _registered_message(
    existing: selectors.Person | None, user: User, given_name: str, roles: list[str]
) -> str:
    """What the administrator is told: a new person was invited, a known one already held the roles, or a
    known one was given more (and keeps the name on their records, whatever name was typed)."""
    if existing is None:
        return (
            f"{user} is registered as {role_phrase(roles)}. An invitation to choose a password has been "
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
        f"{role_phrase(added)}, and sent them an e-mail saying so."
    )


@require_http_methods(["GET", "POST"])
def person_roles(request: AuthenticatedRequest, pk: int, user_pk: int) -> HttpResponse:
    centre = managed_centre(request, pk)
    person = _person(centre, user_pk)
    form = PersonRolesForm(posted(request), initial={"roles": person.roles})
    if form.is_valid():
        try:
            roles = people.set_roles(
                centre=centre, user=person.user, roles=form.cleaned_data["roles"], changed_by=request.user
            )
        except CentreError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{person.user} is now {role_phrase(roles)} at {centre}.")
            if person.user.pk == request.user.pk and Membership.Role.ADMIN not in roles:
                return redirect("centres:index")
            return redirect("centres:people", pk=centre.pk)
    return render(request, "centres/person_roles.html", {"centre": centre, "person": person, "form": form})


@require_POST
def resend_invitation(request: AuthenticatedRequest, pk: int, user_pk: int) -> HttpResponse:
    centre = managed_centre(request, pk)
    person = _person(centre, user_pk)
    try:
        people.resend_invitation(centre=centre, user=person.user, sent_by=request.user, request=request)
    except CentreError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"A new invitation has been sent to {person.user.email}.")
    return redirect("centres:people", pk=centre.pk)
