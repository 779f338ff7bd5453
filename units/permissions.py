"""Who may see what in the catalogue. Views ask these predicates; nothing else decides."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from units.models import Criterion, Group, RangeItem, Specification


def can_view_catalogue(user: User | AnonymousUser) -> bool:
    """Specifications are published documents: every signed-in, active person may read them."""
    return user.is_authenticated and user.is_active


def can_view_specification(user: User | AnonymousUser, specification: Specification) -> bool:
    return can_view_catalogue(user)


def can_view_group(user: User | AnonymousUser, group: Group) -> bool:
    return can_view_catalogue(user)


def can_view_criterion(user: User | AnonymousUser, criterion: Criterion) -> bool:
    return can_view_catalogue(user)


def can_view_range_item(user: User | AnonymousUser, range_item: RangeItem) -> bool:
    return can_view_catalogue(user)


def can_view_marking_points(user: User | AnonymousUser) -> bool:
    """Examiner marking points are for those who judge evidence, not for learners preparing it."""
    return can_view_catalogue(user) and user.is_staff
