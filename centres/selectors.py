"""Reads for the centre pages, each in a fixed number of queries however many people and enrolments there are."""

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User
from centres.models import Centre, EnrolledSpecification, Enrolment, EQAGrant, EQAPageView, Membership
from units.models import Specification

Role = Membership.Role
ROLE_ORDER = {value: index for index, value in enumerate(Role.values)}
OVERSIGHT_ROLES = (Role.ADMIN, Role.EQA)


@dataclass
class Person:
    """Someone with roles in a centre, as the people list shows them."""

    user: User
    roles: list[str] = field(default_factory=list)

    @property
    def role_labels(self) -> list[str]:
        return [Role(role).label for role in sorted(self.roles, key=ROLE_ORDER.__getitem__)]

    @property
    def invitation_pending(self) -> bool:
        """Registered but has not yet chosen a password through their invitation link."""
        return not self.user.has_usable_password()


@dataclass(frozen=True)
class OverseenCentre:
    centre: Centre
    roles: list[str]

    @property
    def role_labels(self) -> list[str]:
        return [Role(role).label for role in self.roles]


@dataclass(frozen=True)
class CentreOverview:
    people: int
    by_role: list[tuple[str, str, int]]  # (role, label, count) in the order of Membership.Role
    enrolments: int
    by_status: list[tuple[str, str, int]]  # (status, label, count) in the order of Enrolment.Status


def centres_overseen(*, user: User) -> list[OverseenCentre]:
    """Centres where the person is an administrator, or an EQA with a whole-centre grant in force, by name."""
    granted = EQAGrant.objects.in_force().filter(eqa=user, whole_centre=True).values("centre_id")
    memberships = (
        Membership.objects.filter(user=user, role__in=OVERSIGHT_ROLES)
        .filter(Q(role=Role.ADMIN) | Q(role=Role.EQA, centre_id__in=granted))
        .select_related("centre")
        .order_by("centre__name", "centre_id")
    )
    centres: dict[int, OverseenCentre] = {}
    for membership in memberships:
        entry = centres.setdefault(membership.centre_id, OverseenCentre(membership.centre, []))
        entry.roles.append(membership.role)
    for entry in centres.values():
        entry.roles.sort(key=ROLE_ORDER.__getitem__)
    return list(centres.values())


def centre_overview(*, centre: Centre) -> CentreOverview:
    """The overview's counts: people (each once, whatever their roles), holders of each role, enrolments by
    status (three queries)."""
    role_counts = dict(
        Membership.objects.filter(centre=centre).values_list("role").annotate(count=Count("pk")).order_by()
    )
    people = Membership.objects.filter(centre=centre).aggregate(people=Count("user", distinct=True))["people"]
    status_counts = dict(
        Enrolment.objects.filter(centre=centre).values_list("status").annotate(count=Count("pk")).order_by()
    )
    return CentreOverview(
        people=people,
        by_role=[(value, label, role_counts.get(value, 0)) for value, label in Role.choices],
        enrolments=sum(status_counts.values()),
        by_status=[(value, label, status_counts.get(value, 0)) for value, label in Enrolment.Status.choices],
    )


def people_list(*, centre: Centre, query: str = "") -> QuerySet[User]:
    """Everyone with a role in the centre, by name, optionally those whose name or e-mail contains `query`; each
    with `roles_here`, their memberships of the centre (`person_of` makes a `Person`)."""
    people = User.objects.filter(pk__in=Membership.objects.filter(centre=centre).values("user_id"))
    if query := query.strip():
        people = people.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    return people.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(centre=centre).order_by("role"),
            to_attr="roles_here",
        )
    ).order_by("full_name", "email", "pk")


def person_of(user: User) -> Person:
    """A person of `people_list`, with their roles in the centre."""
    return Person(user, [membership.role for membership in getattr(user, "roles_here", [])])


def person_in_centre(*, centre: Centre, user_pk: int) -> Person:
    """One person of the centre with their roles; `User.DoesNotExist` if they have none here."""
    memberships = list(Membership.objects.filter(centre=centre, user_id=user_pk).select_related("user"))
    if not memberships:
        raise User.DoesNotExist
    return Person(memberships[0].user, [membership.role for membership in memberships])


def person_by_email(*, centre: Centre, email: str) -> Person | None:
    """The account with this e-mail (any letter case), with their roles in the centre; None if there is none."""
    user = User.objects.filter(email__iexact=User.objects.normalize_email(email.strip())).first()
    if user is None:
        return None
    return Person(
        user, list(Membership.objects.filter(centre=centre, user=user).values_list("role", flat=True))
    )


def enrolment_list(*, centre: Centre) -> QuerySet[Enrolment]:
    """The centre's enrolments by learner name, with people and specifications prefetched."""
    return (
        enrolments_queryset()
        .filter(centre=centre)
        .order_by("learner__full_name", "learner_id", "-start_date", "pk")
    )


def enrolment_in_centre(*, centre: Centre, pk: int) -> Enrolment:
    """One enrolment of the centre; `Enrolment.DoesNotExist` for another centre's."""
    return enrolments_queryset().get(centre=centre, pk=pk)


def people_with_role(*, centre: Centre, role: str, also: User | None = None) -> QuerySet[User]:
    """Choices for an enrolment's learner, assessor or IV; `also` keeps a current holder who has since lost it."""
    holders = Q(memberships__centre=centre, memberships__role=role)
    if also is not None:
        holders |= Q(pk=also.pk)
    return User.objects.filter(holders).distinct().order_by("full_name", "email")


def catalogue() -> QuerySet[Specification]:
    """Every specification version a learner can be enrolled on."""
    return Specification.objects.only("code", "title", "version", "kind").order_by("code", "imported_at")


# Enrolments


def enrolments_queryset() -> QuerySet[Enrolment]:
    """Enrolments with their people, centre and specifications, as every page that lists them needs."""
    return Enrolment.objects.select_related(
        "centre", "learner", "assessor", "internal_verifier"
    ).prefetch_related(
        Prefetch(
            "enrolled_specifications", queryset=EnrolledSpecification.objects.select_related("specification")
        )
    )


def eqa_grants_in_force(user: User, *, on: datetime.date | None = None) -> QuerySet[EQAGrant]:
    """The person's grants in force `on` a day (today by default), of centres where they still hold the EQA
    role, newest first."""
    return (
        EQAGrant.objects.in_force(on)
        .filter(
            eqa=user,
            centre__in=Membership.objects.filter(user=user, role=Role.EQA).values("centre_id"),
        )
        .order_by("-starts_on", "-pk")
    )


def enrolments_for(user: User) -> QuerySet[Enrolment]:
    """Every enrolment the person may open: their own, their caseload, those they verify, their centres' (as
    administrator), and those an EQA grant in force covers (one query: the grants are subqueries)."""
    overseen = Membership.objects.filter(user=user, role=Role.ADMIN).values("centre_id")
    grants = eqa_grants_in_force(user)
    return (
        enrolments_queryset()
        .filter(
            Q(learner=user)
            | Q(assessor=user)
            | Q(internal_verifier=user)
            | Q(centre_id__in=overseen)
            | Q(centre_id__in=grants.filter(whole_centre=True).values("centre_id"))
            | Q(pk__in=grants.filter(whole_centre=False).values("enrolments"))
        )
        .order_by("centre__name", "learner__full_name", "-start_date", "pk")
    )


def assessors_of(enrolments: QuerySet[Enrolment]) -> QuerySet[User]:
    """The assessors of these enrolments, by name: the choices of a list's assessor filter."""
    return User.objects.filter(pk__in=enrolments.values("assessor_id")).order_by("full_name", "email")


# EQA grants and their page-view log


def grants_of(*, centre: Centre) -> QuerySet[EQAGrant]:
    """The centre's grants for its EQA page, newest first, each with its `state` and `page_view_count` (3 queries
    however many grants and portfolios)."""
    today = timezone.localdate()
    return (
        EQAGrant.objects.filter(centre=centre)
        .select_related("eqa", "granted_by")
        .prefetch_related(
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.select_related("learner").order_by("learner__full_name"),
            )
        )
        .annotate(
            state=Case(
                When(starts_on__gt=today, then=Value("not started")),
                When(ends_on__lt=today, then=Value("ended")),
                default=Value("in force"),
            ),
            page_view_count=Count("page_views", distinct=True),
        )
        .order_by("-starts_on", "-pk")
    )


def grant_of(*, centre: Centre, pk: int) -> EQAGrant:
    return EQAGrant.objects.select_related("eqa", "centre").get(centre=centre, pk=pk)


PAGE_VIEWS_PER_PAGE = 50


def page_views_of(*, grant: EQAGrant, page: str | int | None) -> Page:
    """The pages the EQA opened under a grant, newest first, one page of the log at a time."""
    return Paginator(
        EQAPageView.objects.filter(grant=grant)
        .only("path", "method", "status", "viewed_at")
        .order_by("-viewed_at", "-pk"),
        PAGE_VIEWS_PER_PAGE,
    ).get_page(page)
