"""External quality assurance: who grants an EQA read-only access, to what, for how long; and what a grant lets
the EQA read.

An EQA reads an enrolment only while a grant of its centre is in force (from `starts_on` to `ends_on`, both
included) that covers it: the whole centre, or the enrolment among those chosen. Without one, the enrolment is
answered 404, as if it did not exist; a write is always 403. The grants in force are read once per request and
kept on the user object, like `roles_in` keeps the roles.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Case, Count, Prefetch, QuerySet, Value, When
from django.utils import timezone

import portfolio.permissions as portfolio_permissions
from accounts.models import User
from assessments.models import EQAGrant, EQAPageView
from audit.services import record
from portfolio.models import Centre, Enrolment, Membership
from portfolio.services import PortfolioError

Role = Membership.Role


class EQAGrantError(PortfolioError):
    """A grant that cannot be made or ended as asked; the message says why."""


@dataclass
class GrantScope:
    """What one grant in force covers, as the permission checks need it."""

    pk: int
    centre_id: int
    whole_centre: bool
    enrolment_ids: set[int] = field(default_factory=set)
    learner_ids: set[int] = field(default_factory=set)


def active_grants(user: User, today: datetime.date) -> QuerySet[EQAGrant]:
    """The person's grants in force on `today`, of centres where they still hold the EQA role, newest first."""
    return (
        EQAGrant.objects.filter(
            eqa=user,
            starts_on__lte=today,
            ends_on__gte=today,
            centre__in=Membership.objects.filter(user=user, role=Role.EQA).values("centre_id"),
        )
        .select_related("centre")
        .order_by("-starts_on", "-pk")
    )


def grants_in_force(user: User | AnonymousUser) -> dict[int, list[GrantScope]]:
    """The EQA's grants in force today by centre, read once per request (one query, none for a non-EQA)."""
    if not user.is_authenticated or not user.is_active:
        return {}
    cache: dict[int, list[GrantScope]] | None = getattr(user, "_eqa_grants", None)
    if cache is not None:
        return cache
    cache = {}
    portfolio_permissions.roles_in(user, 0)  # fills user._centre_roles once per request
    eqa_centres = {centre for centre, roles in user._centre_roles.items() if Role.EQA in roles}
    if eqa_centres:
        rows = (
            EQAGrant.objects.filter(
                eqa=user,
                centre_id__in=eqa_centres,
                starts_on__lte=timezone.localdate(),
                ends_on__gte=timezone.localdate(),
            )
            .order_by("-starts_on", "-pk")
            .values_list("pk", "centre_id", "whole_centre", "enrolments", "enrolments__learner_id")
        )
        scopes: dict[int, GrantScope] = {}
        for pk, centre_id, whole_centre, enrolment_id, learner_id in rows:
            scope = scopes.get(pk)
            if scope is None:
                scope = scopes[pk] = GrantScope(pk, centre_id, whole_centre)
                cache.setdefault(centre_id, []).append(scope)
            if enrolment_id is not None:
                scope.enrolment_ids.add(enrolment_id)
                scope.learner_ids.add(learner_id)
    user._eqa_grants = cache
    return cache


def _using(user: User, scope: GrantScope) -> bool:
    """Note the grant a page was read under, so the page view is logged against it."""
    user._eqa_grant_used = scope.pk
    return True


def eqa_can_read_enrolment(user: User | AnonymousUser, enrolment: Enrolment) -> bool:
    """An EQA of the enrolment's centre, under a grant in force for the whole centre or for this enrolment."""
    for scope in grants_in_force(user).get(enrolment.centre_id, []):
        if scope.whole_centre or enrolment.pk in scope.enrolment_ids:
            return _using(user, scope)
    return False


def eqa_can_read_history(user: User | AnonymousUser, learner: User, centre: Centre) -> bool:
    """An EQA of the centre, under a grant in force for the whole centre or for one of the learner's enrolments."""
    for scope in grants_in_force(user).get(centre.pk, []):
        if scope.whole_centre or learner.pk in scope.learner_ids:
            return _using(user, scope)
    return False


def eqa_can_view_centre(user: User | AnonymousUser, centre: Centre) -> bool:
    """An EQA of the centre under a whole-centre grant in force reads its pages (people, every enrolment). One
    granted chosen portfolios only does not: those pages would show what else exists; they reach their
    portfolios from their home page."""
    for scope in grants_in_force(user).get(centre.pk, []):
        if scope.whole_centre:
            return _using(user, scope)
    return False


def has_grant_in_force(user: User | AnonymousUser) -> bool:
    return bool(grants_in_force(user))


def has_whole_centre_grant_in_force(user: User | AnonymousUser) -> bool:
    return any(scope.whole_centre for scopes in grants_in_force(user).values() for scope in scopes)


def grant_for_page_view(user: User) -> int | None:
    """The grant a page was read under: the one a permission check used, else the newest in force."""
    used = getattr(user, "_eqa_grant_used", None)
    if used is not None:
        return used
    for scopes in grants_in_force(user).values():
        return scopes[0].pk
    return None


def can_grant_eqa_access(user: User | AnonymousUser, centre: Centre) -> bool:
    return portfolio_permissions.can_manage_centre(user, centre)


@transaction.atomic
def grant_eqa_access(
    *,
    centre: Centre,
    eqa: User,
    by: User,
    starts_on: datetime.date,
    ends_on: datetime.date,
    whole_centre: bool,
    enrolments: list[Enrolment] | QuerySet[Enrolment],
) -> EQAGrant:
    """Give an EQA of the centre read-only access to chosen portfolios, or the whole centre, for a period."""
    if not Membership.objects.filter(centre=centre, user=by, role=Role.ADMIN).exists():
        raise EQAGrantError("Only an administrator of the centre may grant EQA access.")
    if not Membership.objects.filter(centre=centre, user=eqa, role=Role.EQA).exists():
        raise EQAGrantError(
            f"{eqa} is not an external quality assurer of {centre}: give them that role first."
        )
    if ends_on < starts_on:
        raise EQAGrantError("The access must end on or after the day it starts.")
    enrolments = list(enrolments)
    if any(enrolment.centre_id != centre.pk for enrolment in enrolments):
        raise EQAGrantError("Only portfolios of this centre may be chosen.")
    if whole_centre:
        enrolments = []
    elif not enrolments:
        raise EQAGrantError("Choose at least one portfolio, or the whole centre.")
    grant = EQAGrant.objects.create(
        centre=centre, eqa=eqa, whole_centre=whole_centre, starts_on=starts_on, ends_on=ends_on, granted_by=by
    )
    grant.enrolments.set(enrolments)
    scope = "the whole centre" if whole_centre else f"{len(enrolments)} portfolio(s)"
    record(
        actor=by,
        action="eqa.granted",
        summary=f"EQA access for {eqa} to {scope}, {starts_on:%d/%m/%Y} to {ends_on:%d/%m/%Y}",
        subject=grant,
        centre=centre,
        after={
            "eqa": eqa.pk,
            "whole_centre": whole_centre,
            "enrolments": sorted(e.pk for e in enrolments),
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    return grant


@transaction.atomic
def revoke_eqa_access(*, grant: EQAGrant, by: User) -> EQAGrant:
    """End a grant now: its last day becomes yesterday, so from this moment the EQA reads nothing under it."""
    grant = EQAGrant.objects.select_for_update().select_related("centre", "eqa").get(pk=grant.pk)
    if not Membership.objects.filter(centre=grant.centre, user=by, role=Role.ADMIN).exists():
        raise EQAGrantError("Only an administrator of the centre may end EQA access.")
    today = timezone.localdate()
    if grant.ends_on < today:
        raise EQAGrantError("This access has already ended.")
    before = {"starts_on": grant.starts_on.isoformat(), "ends_on": grant.ends_on.isoformat()}
    grant.ends_on = today - datetime.timedelta(days=1)
    grant.starts_on = min(grant.starts_on, grant.ends_on)  # one not yet started ends before it begins
    grant.save(update_fields=["starts_on", "ends_on"])
    record(
        actor=by,
        action="eqa.revoked",
        summary=f"EQA access for {grant.eqa} ended on {today:%d/%m/%Y}",
        subject=grant,
        centre=grant.centre,
        before=before,
        after={"starts_on": grant.starts_on.isoformat(), "ends_on": grant.ends_on.isoformat()},
    )
    return grant


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
        EQAPageView.objects.filter(grant=grant).only("path", "viewed_at").order_by("-viewed_at", "-pk"),
        PAGE_VIEWS_PER_PAGE,
    ).get_page(page)
