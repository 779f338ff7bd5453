"""Registering people at a centre, inviting them, and changing their roles.

Each function is one transaction; a refusal raises `CentreError`. The invitation e-mail is sent inside the
transaction, so a failed send leaves nothing half-registered.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from accounts.models import User
from audit.services import person, record
from centres.models import Centre, Enrolment, Membership
from centres.services import CentreError
from centres.services.invitations import LinkBase, role_phrase, send_invitation

Role = Membership.Role
# An assessor or IV may not be taken off a role while these enrolments still name them.
OPEN_STATUSES = (Enrolment.Status.ACTIVE, Enrolment.Status.ON_HOLD)


def _clean_roles(roles: Iterable[str]) -> set[str]:
    """The roles chosen, as a set; choosing none, or one that does not exist, is refused."""
    chosen = set(roles)
    if not chosen:
        raise CentreError("Choose at least one role.")
    if unknown := chosen - set(Role.values):
        raise CentreError(
            f"There is no role {', '.join(sorted(unknown))}; choose from {role_phrase(Role.values)}."
        )
    return chosen


def require_admin(user: User, centre: Centre) -> None:
    """The services' own check that the person acting administers the centre (views ask the same first)."""
    if not Membership.objects.filter(centre=centre, user=user, role=Role.ADMIN).exists():
        raise CentreError(f"Only an administrator of {centre} can register people and change their roles.")


def role_labels(roles: Iterable[str]) -> list[str]:
    """Role names in the order of `Membership.Role`, as before/after values of an audit entry."""
    chosen = set(roles)
    return [str(label) for value, label in Role.choices if value in chosen]


def _new_account(email: str, full_name: str) -> User:
    """An account with no password yet (the invitation lets the person choose one); the same address
    registered by someone else at the same moment is refused, with a message to try again."""
    full_name = " ".join(full_name.split())
    if not full_name:
        raise CentreError("Enter the person's full name as it should appear on signed records.")
    try:
        with transaction.atomic():
            return User.objects.create_user(email, None, full_name=full_name)  # no password: unusable
    except IntegrityError:
        raise CentreError(f"{email} was registered by someone else at the same moment; try again.") from None


@transaction.atomic
def register_person(
    *,
    centre: Centre,
    email: str,
    full_name: str,
    roles: Iterable[str],
    invited_by: User,
    request: HttpRequest | None = None,
    base_url: str | None = None,
) -> User:
    """Give a person roles in the centre and e-mail them; a new person gets a link to choose their password.

    Someone who already has an account (whatever the letter case of their address) keeps their name and
    password: only the roles they lack are added, and the e-mail says so. Roles they already hold change nothing
    and send nothing. Links are built from `request` or, outside a request, `base_url`.
    """
    link_base = LinkBase(request=request, base_url=base_url)
    chosen = _clean_roles(roles)
    email = User.objects.normalize_email(email.strip())
    try:
        validate_email(email)
    except ValidationError:
        raise CentreError(f"“{email}” is not an e-mail address; check it and try again.") from None
    require_admin(invited_by, centre)
    existing = User.objects.filter(email__iexact=email).first()
    user = existing or _new_account(email, full_name)
    held = set(Membership.objects.filter(centre=centre, user=user).values_list("role", flat=True))
    added = chosen - held
    if not added:
        return user
    Membership.objects.bulk_create(
        [Membership(centre=centre, user=user, role=role) for role in sorted(added)], ignore_conflicts=True
    )
    send_invitation(
        user=user,
        centre=centre,
        roles=added,
        invited_by=invited_by,
        new_person=existing is None,
        link_base=link_base,
    )
    record(
        actor=invited_by,
        action="centre.person_registered",
        summary=(
            f"{user} registered at {centre} as {role_phrase(added)}"
            if existing is None
            else f"{user} (already registered) given the role of {role_phrase(added)} at {centre}"
        ),
        subject=user,
        centre=centre,
        before=None if existing is None else {"person": person(user), "roles": role_labels(held)},
        after={"person": person(user), "roles": role_labels(held | added)},
    )
    return user


@transaction.atomic
def resend_invitation(
    *,
    centre: Centre,
    user: User,
    sent_by: User,
    request: HttpRequest | None = None,
    base_url: str | None = None,
) -> None:
    """A fresh set-password link for someone who has not chosen a password yet (links expire)."""
    link_base = LinkBase(request=request, base_url=base_url)
    require_admin(sent_by, centre)
    roles = set(Membership.objects.filter(centre=centre, user=user).values_list("role", flat=True))
    if not roles:
        raise CentreError(f"{user} has no role at {centre}.")
    if user.has_usable_password():
        raise CentreError(
            f"{user} has already chosen a password. If they have forgotten it, they can use “Forgotten your "
            "password?” on the sign-in page."
        )
    send_invitation(
        user=user, centre=centre, roles=roles, invited_by=sent_by, new_person=True, link_base=link_base
    )


def _refuse_stranding(*, centre: Centre, user: User, removed: set[str], changed_by: User) -> None:
    """The centre keeps an administrator; a learner with enrolments here stays a learner; an assessor or IV named
    on an open enrolment keeps that role."""
    if Role.ADMIN in removed:
        others = Membership.objects.filter(centre=centre, role=Role.ADMIN).exclude(user=user)
        if not others.exists():
            who = "You are" if user.pk == changed_by.pk else f"{user} is"
            raise CentreError(
                f"{who} the only administrator of {centre}: give someone else the administrator role first."
            )
    if Role.LEARNER in removed and (count := Enrolment.objects.filter(centre=centre, learner=user).count()):
        raise CentreError(
            f"{user} is the learner of {count} enrolment{'s' if count != 1 else ''} here and keeps the learner "
            "role; mark the enrolment withdrawn or completed instead."
        )
    for role, field, title in (
        (Role.ASSESSOR, "assessor", "assessor"),
        (Role.INTERNAL_VERIFIER, "internal_verifier", "internal verifier"),
    ):
        if role not in removed:
            continue
        count = Enrolment.objects.filter(centre=centre, status__in=OPEN_STATUSES, **{field: user}).count()
        if count:
            raise CentreError(
                f"{user} is the {title} of {count} active or on-hold enrolment{'s' if count != 1 else ''}: "
                f"assign another {title} to {'them' if count != 1 else 'it'} first."
            )


@transaction.atomic
def set_roles(*, centre: Centre, user: User, roles: Iterable[str], changed_by: User) -> set[str]:
    """Make the person's roles in the centre exactly `roles`, refusing changes that would strand someone."""
    chosen = _clean_roles(roles)
    Centre.objects.select_for_update().get(pk=centre.pk)  # one role change at a time per centre
    require_admin(changed_by, centre)
    held = set(Membership.objects.filter(centre=centre, user=user).values_list("role", flat=True))
    if not held:
        raise CentreError(f"{user} has no role at {centre}; register them instead.")
    removed = held - chosen
    _refuse_stranding(centre=centre, user=user, removed=removed, changed_by=changed_by)
    Membership.objects.filter(centre=centre, user=user, role__in=removed).delete()
    Membership.objects.bulk_create(
        [Membership(centre=centre, user=user, role=role) for role in sorted(chosen - held)],
        ignore_conflicts=True,
    )
    if chosen != held:
        record(
            actor=changed_by,
            action="centre.roles_changed",
            summary=f"{user} is now {role_phrase(chosen)} at {centre} (was {role_phrase(held)})",
            subject=user,
            centre=centre,
            before={"person": person(user), "roles": role_labels(held)},
            after={"person": person(user), "roles": role_labels(chosen)},
        )
    return chosen
