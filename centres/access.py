"""Who a person is for this request: their roles in each centre, the EQA grants they hold in force, and the grant
that served the page. Every app's permission predicates build on this answer; none queries roles or grants itself.

One `Access` is built per request (`request.access`, set by `centres.middleware.AccessMiddleware`) and reads
lazily: nothing for a visitor, one query for a person's roles the first time any check needs them, and one more
for an EQA's grants. Outside a request (a command, a task), build one with `Access(user)`.

The pair of lookups every view uses is here too: `read_or_404` (an object the person may not know exists answers
404) and `change_or_403` (one they can see but not change answers 403).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import cast

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from accounts import http as lookups
from accounts.models import User
from centres.models import Enrolment, EQAGrant, Membership

Role = Membership.Role


@dataclass(frozen=True)
class GrantScope:
    """What one EQA grant in force covers, as the permission checks need it."""

    pk: int
    centre_id: int
    whole_centre: bool
    enrolment_ids: frozenset[int] = field(default_factory=frozenset)
    learner_ids: frozenset[int] = field(default_factory=frozenset)

    def covers_enrolment(self, enrolment_id: int) -> bool:
        return self.whole_centre or enrolment_id in self.enrolment_ids

    def covers_learner(self, learner_id: int) -> bool:
        return self.whole_centre or learner_id in self.learner_ids


class Access:
    """One person's standing, read once per request; `served_by` names the EQA grant a page was read under."""

    def __init__(self, user: User | AnonymousUser) -> None:
        self.user = user
        self.served_by: int | None = None
        self.refused_under: int | None = None

    def __repr__(self) -> str:
        return f"<Access of {self.user}>"

    @property
    def is_signed_in(self) -> bool:
        return bool(self.user.is_authenticated and self.user.is_active)

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.is_signed_in else None

    @cached_property
    def roles(self) -> dict[int, frozenset[str]]:
        """The person's roles by centre id (one query, none for a visitor)."""
        user_id = self.user_id
        if user_id is None:
            return {}
        found: dict[int, set[str]] = {}
        for centre_id, role in Membership.objects.filter(user_id=user_id).values_list("centre_id", "role"):
            found.setdefault(centre_id, set()).add(role)
        return {centre_id: frozenset(roles) for centre_id, roles in found.items()}

    @property
    def roles_loaded(self) -> bool:
        """Whether any check has read the person's roles yet (the EQA log asks: a page that never did showed
        nothing a grant opens)."""
        return "roles" in self.__dict__

    def roles_in(self, centre_id: int) -> frozenset[str]:
        return self.roles.get(centre_id, frozenset())

    def holds(self, role: str, centre_id: int) -> bool:
        return role in self.roles_in(centre_id)

    def holds_anywhere(self, role: str) -> bool:
        return any(role in roles for roles in self.roles.values())

    def centres_where(self, role: str) -> set[int]:
        return {centre_id for centre_id, roles in self.roles.items() if role in roles}

    def is_member(self, centre_id: int) -> bool:
        return bool(self.roles_in(centre_id))

    @cached_property
    def grants(self) -> dict[int, tuple[GrantScope, ...]]:
        """The EQA's grants in force today by centre, newest first, of centres where they still hold the EQA role
        (one query, and none for someone who is not an EQA anywhere)."""
        eqa_centres = self.centres_where(Role.EQA)
        if not eqa_centres:
            return {}
        rows = (
            EQAGrant.objects.in_force()
            .filter(eqa_id=self.user.pk, centre_id__in=eqa_centres)
            .order_by("-starts_on", "-pk")
            .values_list("pk", "centre_id", "whole_centre", "enrolments", "enrolments__learner_id")
        )
        scopes: dict[int, tuple[int, bool, set[int], set[int]]] = {}
        for pk, centre_id, whole_centre, enrolment_id, learner_id in rows:
            _, _, enrolments, learners = scopes.setdefault(pk, (centre_id, whole_centre, set(), set()))
            if enrolment_id is not None:
                enrolments.add(enrolment_id)
                learners.add(learner_id)
        by_centre: dict[int, list[GrantScope]] = {}
        for pk, (centre_id, whole_centre, enrolments, learners) in scopes.items():
            by_centre.setdefault(centre_id, []).append(
                GrantScope(pk, centre_id, whole_centre, frozenset(enrolments), frozenset(learners))
            )
        return {centre_id: tuple(scopes) for centre_id, scopes in by_centre.items()}

    def has_grant_in_force(self) -> bool:
        return bool(self.grants)

    def has_whole_centre_grant(self) -> bool:
        return any(scope.whole_centre for scopes in self.grants.values() for scope in scopes)

    def _serve(self, scopes: tuple[GrantScope, ...], covers: Callable[[GrantScope], bool]) -> bool:
        """Whether a grant covers the read; the first that does is noted as serving this request. When the EQA
        holds grants at that centre and none covers it, the newest is noted: a refusal is logged for that
        centre."""
        for scope in scopes:
            if covers(scope):
                self.served_by = scope.pk
                return True
        if scopes and self.refused_under is None:
            self.refused_under = scopes[0].pk
        return False

    def eqa_reads_enrolment(self, enrolment: Enrolment) -> bool:
        """Under a grant in force for the whole centre or for this enrolment."""
        return self._serve(
            self.grants.get(enrolment.centre_id, ()), lambda scope: scope.covers_enrolment(enrolment.pk)
        )

    def eqa_reads_learner(self, *, centre_id: int, learner_id: int) -> bool:
        """Under a grant in force for the whole centre or for one of the learner's enrolments there."""
        return self._serve(self.grants.get(centre_id, ()), lambda scope: scope.covers_learner(learner_id))

    def eqa_reads_centre(self, centre_id: int) -> bool:
        """Under a whole-centre grant in force: the centre's own pages (people, every enrolment)."""
        return self._serve(self.grants.get(centre_id, ()), lambda scope: scope.whole_centre)

    def grant_for_page_view(self, *, refused: bool = False) -> int | None:
        """The grant a page was read under: the one a check used, and no other (a page no grant served, such as
        one of another centre where the EQA is an administrator, is in no grant's log). A refused attempt goes
        under the grant that served the page, else one of the grants the EQA holds at the refusing centre."""
        if refused:
            return self.served_by if self.served_by is not None else self.refused_under
        return self.served_by

    def is_on_enrolment(self, enrolment: Enrolment) -> bool:
        """The enrolment's learner, assessor or internal verifier."""
        return self.user_id is not None and self.user_id in (
            enrolment.learner_id,
            enrolment.assessor_id,
            enrolment.internal_verifier_id,
        )

    def oversees_learner(self, *, centre_id: int, learner_id: int) -> bool:
        """Assessor or internal verifier of any of the learner's enrolments in the centre (one query)."""
        if self.user_id is None:
            return False
        return Enrolment.objects.filter(
            Q(assessor_id=self.user_id) | Q(internal_verifier_id=self.user_id),
            centre_id=centre_id,
            learner_id=learner_id,
        ).exists()


class AccessRequest(HttpRequest):
    """A request once `give_access` has run: it carries its `Access`, which `HttpRequest` does not declare."""

    access: Access


def give_access(request: HttpRequest) -> Access:
    """A fresh `Access` for the request, kept on it as `request.access` for the checks that follow."""
    access = Access(request.user)
    cast(AccessRequest, request).access = access
    return access


def access_of(request: HttpRequest) -> Access:
    """The request's `Access` (built by the middleware; built here for a request that skipped it)."""
    access = getattr(request, "access", None)
    if not isinstance(access, Access):
        access = give_access(request)
    return access


def read_or_404[M: Model](
    request: HttpRequest,
    found: QuerySet[M],
    pk: int,
    may_read: Callable[[Access, M], bool],
    *,
    what: str = "object",
) -> M:
    """`accounts.http.read_or_404` with the request's `Access` as the viewer: 404 unless the person may read it."""
    return lookups.read_or_404(access_of(request), found, pk, may_read, what=what)


def change_or_403[M: Model](
    request: HttpRequest, obj: M, may_change: Callable[[Access, M], bool], message: str = ""
) -> M:
    """`accounts.http.change_or_403` with the request's `Access` as the viewer: 403 unless they may change it."""
    return lookups.change_or_403(access_of(request), obj, may_change, message)
