"""Changes to a centre's people and enrolments: registering, inviting, roles, enrolling and updating enrolments.

Each function is one transaction; a refusal raises `PortfolioError` with a message a person can act on. The
invitation e-mail is sent inside the transaction, so a failed send leaves nothing half-registered.
"""

import datetime
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import get_text_list

from accounts.models import User
from audit.services import person, record
from portfolio.models import Centre, EnrolledSpecification, Enrolment, EvidenceMapping, Membership
from portfolio.services import PortfolioError
from units.models import Specification

Role = Membership.Role
Status = Enrolment.Status

# An assessor or IV may not be taken off a role while these enrolments still name them.
OPEN_STATUSES = (Status.ACTIVE, Status.ON_HOLD)


class Unchanged(enum.Enum):
    """`update_enrolment`'s default: leave this field as it is (None means "nobody" for assessor and IV)."""

    UNCHANGED = enum.auto()


UNCHANGED = Unchanged.UNCHANGED


@dataclass(frozen=True)
class LinkBase:
    """Where links in e-mail point: the current request's site, or a base URL given by a command."""

    request: HttpRequest | None = None
    base_url: str | None = None

    def __post_init__(self) -> None:
        if self.request is None and not self.base_url:
            raise ValueError(
                "Links in e-mail need the request or a base URL (e.g. https://portfolio.example.org)."
            )

    def absolute(self, path: str) -> str:
        if self.request is not None:
            return self.request.build_absolute_uri(path)
        return f"{self.base_url.rstrip('/')}{path}"


def role_phrase(roles: Iterable[str]) -> str:
    """The roles in words, in the order of `Membership.Role`: "learner, assessor and internal verifier"."""
    ordered = [label.lower() for value, label in Role.choices if value in set(roles)]
    return str(get_text_list(ordered, "and"))


def _clean_roles(roles: Iterable[str]) -> set[str]:
    chosen = set(roles)
    if not chosen:
        raise PortfolioError("Choose at least one role.")
    if unknown := chosen - set(Role.values):
        raise PortfolioError(
            f"There is no role {', '.join(sorted(unknown))}; choose from {role_phrase(Role.values)}."
        )
    return chosen


def _require_admin(user: User, centre: Centre) -> None:
    if not Membership.objects.filter(centre=centre, user=user, role=Role.ADMIN).exists():
        raise PortfolioError(f"Only an administrator of {centre} can register people and change their roles.")


def _send_invitation(
    *, user: User, centre: Centre, roles: set[str], invited_by: User, new_person: bool, link_base: LinkBase
) -> None:
    """The set-password link goes to Django's password-reset-confirm view: the person chooses their own password."""
    context = {
        "user": user,
        "centre": centre,
        "roles": role_phrase(roles),
        "invited_by": invited_by,
        "new_person": new_person,
        "set_password_url": None,
        "sign_in_url": link_base.absolute(reverse("login")),
        "link_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    if not user.has_usable_password():
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        context["set_password_url"] = link_base.absolute(path)
    subject = "".join(render_to_string("portfolio/email/invitation_subject.txt", context).splitlines())
    body = render_to_string("portfolio/email/invitation.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except OSError as error:  # smtplib.SMTPException is an OSError
        raise PortfolioError(
            f"The e-mail to {user.email} could not be sent ({error}); nothing was saved. Try again, or ask "
            "whoever runs the site to check its e-mail settings."
        ) from error


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
        raise PortfolioError(f"“{email}” is not an e-mail address; check it and try again.") from None
    _require_admin(invited_by, centre)
    user = User.objects.filter(email__iexact=email).first()
    new_person = user is None
    if user is None:
        full_name = " ".join(full_name.split())
        if not full_name:
            raise PortfolioError("Enter the person's full name as it should appear on signed records.")
        try:
            with transaction.atomic():
                user = User.objects.create_user(email, None, full_name=full_name)  # no password: unusable
        except IntegrityError:
            raise PortfolioError(
                f"{email} was registered by someone else at the same moment; try again."
            ) from None
    held = set(Membership.objects.filter(centre=centre, user=user).values_list("role", flat=True))
    added = chosen - held
    if not added:
        return user
    Membership.objects.bulk_create(
        [Membership(centre=centre, user=user, role=role) for role in sorted(added)], ignore_conflicts=True
    )
    _send_invitation(
        user=user,
        centre=centre,
        roles=added,
        invited_by=invited_by,
        new_person=new_person,
        link_base=link_base,
    )
    record(
        actor=invited_by,
        action="centre.person_registered",
        summary=(
            f"{user} registered at {centre} as {role_phrase(added)}"
            if new_person
            else f"{user} (already registered) given the role of {role_phrase(added)} at {centre}"
        ),
        subject=user,
        centre=centre,
        before=None if new_person else {"person": person(user), "roles": _role_labels(held)},
        after={"person": person(user), "roles": _role_labels(held | added)},
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
    _require_admin(sent_by, centre)
    roles = set(Membership.objects.filter(centre=centre, user=user).values_list("role", flat=True))
    if not roles:
        raise PortfolioError(f"{user} has no role at {centre}.")
    if user.has_usable_password():
        raise PortfolioError(
            f"{user} has already chosen a password. If they have forgotten it, they can use “Forgotten your "
            "password?” on the sign-in page."
        )
    _send_invitation(
        user=user,
        centre=centre,
        roles=roles,
        invited_by=sent_by,
        new_person=True,
        link_base=link_base,
    )


@transaction.atomic
def set_roles(*, centre: Centre, user: User, roles: Iterable[str], changed_by: User) -> set[str]:
    """Make the person's roles in the centre exactly `roles`, refusing changes that would strand someone.

    The centre always keeps an administrator; a learner keeps the learner role while they have enrolments here;
    an assessor or IV keeps the role while an active or on-hold enrolment names them.
    """
    chosen = _clean_roles(roles)
    Centre.objects.select_for_update().get(pk=centre.pk)  # one role change at a time per centre
    _require_admin(changed_by, centre)
    held = set(Membership.objects.filter(centre=centre, user=user).values_list("role", flat=True))
    if not held:
        raise PortfolioError(f"{user} has no role at {centre}; register them instead.")
    removed = held - chosen
    if Role.ADMIN in removed:
        others = Membership.objects.filter(centre=centre, role=Role.ADMIN).exclude(user=user)
        if not others.exists():
            who = "You are" if user.pk == changed_by.pk else f"{user} is"
            raise PortfolioError(
                f"{who} the only administrator of {centre}: give someone else the administrator role first."
            )
    if Role.LEARNER in removed and (count := Enrolment.objects.filter(centre=centre, learner=user).count()):
        raise PortfolioError(
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
            raise PortfolioError(
                f"{user} is the {title} of {count} active or on-hold enrolment{'s' if count != 1 else ''}: "
                f"assign another {title} to {'them' if count != 1 else 'it'} first."
            )
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
            before={"person": person(user), "roles": _role_labels(held)},
            after={"person": person(user), "roles": _role_labels(chosen)},
        )
    return chosen


def _role_labels(roles: Iterable[str]) -> list[str]:
    """Role names in the order of `Membership.Role`, as before/after values of an audit entry."""
    return [str(label) for value, label in Role.choices if value in set(roles)]


def _holders(centre: Centre, people: Iterable[User | None]) -> dict[int, set[str]]:
    ids = {person.pk for person in people if person is not None}
    roles: dict[int, set[str]] = {}
    for user_id, role in Membership.objects.filter(centre=centre, user_id__in=ids).values_list(
        "user_id", "role"
    ):
        roles.setdefault(user_id, set()).add(role)
    return roles


def _check_people(
    *, centre: Centre, learner: User, assessor: User | None, internal_verifier: User | None, changed: set[str]
) -> None:
    """Roles of the people named (only those being set), then no one assesses or verifies themselves."""
    if assessor is not None and assessor.pk == learner.pk:
        raise PortfolioError("A learner cannot be their own assessor: choose someone else as assessor.")
    if internal_verifier is not None and internal_verifier.pk == learner.pk:
        raise PortfolioError("A learner cannot be their own internal verifier: choose someone else as IV.")
    if internal_verifier is not None and assessor is not None and internal_verifier.pk == assessor.pk:
        raise PortfolioError(
            f"{assessor} cannot verify their own assessment decisions: choose a different internal verifier "
            "from the assessor."
        )
    people = {"learner": learner, "assessor": assessor, "internal_verifier": internal_verifier}
    roles = _holders(centre, (people[field] for field in changed))
    for field, role, title in (
        ("learner", Role.LEARNER, "a learner"),
        ("assessor", Role.ASSESSOR, "an assessor"),
        ("internal_verifier", Role.INTERNAL_VERIFIER, "an internal verifier"),
    ):
        person = people[field]
        if field in changed and person is not None and role not in roles.get(person.pk, set()):
            raise PortfolioError(
                f"{person} is not {title} at {centre}: give them that role first, or choose someone else."
            )


def _unique_specifications(specifications: Iterable[Specification]) -> list[Specification]:
    chosen = list({specification.pk: specification for specification in specifications}.values())
    if not chosen:
        raise PortfolioError("Choose at least one specification to enrol the learner on.")
    return chosen


def _check_not_enrolled_twice(
    *,
    centre: Centre,
    learner: User,
    specifications: Sequence[Specification],
    exclude: Enrolment | None = None,
) -> None:
    """One open enrolment per learner and specification version (a form posted twice makes no second one)."""
    clash = (
        EnrolledSpecification.objects.filter(
            enrolment__centre=centre,
            enrolment__learner=learner,
            enrolment__status__in=OPEN_STATUSES,
            specification__in=specifications,
        )
        .exclude(enrolment=exclude)
        .select_related("enrolment", "specification")
        .first()
    )
    if clash is not None:
        spec = clash.specification
        raise PortfolioError(
            f"{learner} is already enrolled on {spec.code} version {spec.version} here (from "
            f"{clash.enrolment.start_date:%d/%m/%Y}, {clash.enrolment.get_status_display().lower()}): edit that "
            "enrolment instead."
        )


def _lock_learner(centre: Centre, learner: User) -> None:
    """Serialise enrolments of one learner, so two at once cannot both pass the duplicate check."""
    list(Membership.objects.select_for_update().filter(centre=centre, user=learner, role=Role.LEARNER))


@transaction.atomic
def enrol(
    *,
    centre: Centre,
    learner: User,
    specifications: Iterable[Specification],
    start_date: datetime.date,
    assessor: User | None = None,
    internal_verifier: User | None = None,
    group: str = "",
    by: User | None = None,
) -> Enrolment:
    """Put a learner of the centre on specification versions, with an assessor and IV who hold those roles.

    `by` is who enrols them, for the audit trail (None: the system, e.g. a command).
    """
    chosen = _unique_specifications(specifications)
    _check_people(
        centre=centre,
        learner=learner,
        assessor=assessor,
        internal_verifier=internal_verifier,
        changed={"learner", "assessor", "internal_verifier"},
    )
    _lock_learner(centre, learner)
    _check_not_enrolled_twice(centre=centre, learner=learner, specifications=chosen)
    enrolment = Enrolment.objects.create(
        centre=centre,
        learner=learner,
        assessor=assessor,
        internal_verifier=internal_verifier,
        start_date=start_date,
        group=group.strip(),
    )
    EnrolledSpecification.objects.bulk_create(
        EnrolledSpecification(enrolment=enrolment, specification=specification, position=position)
        for position, specification in enumerate(chosen)
    )
    after = _enrolment_values(enrolment, chosen)
    record(
        actor=by,
        action="enrolment.created",
        summary=f"{learner} enrolled on {', '.join(after['specifications'])} from {start_date:%d/%m/%Y}",
        subject=enrolment,
        learner=learner,
        centre=centre,
        after=after,
    )
    return enrolment


@transaction.atomic
def update_enrolment(
    *,
    enrolment: Enrolment,
    specifications: Iterable[Specification] | Unchanged = UNCHANGED,
    start_date: datetime.date | Unchanged = UNCHANGED,
    assessor: User | Unchanged | None = UNCHANGED,
    internal_verifier: User | Unchanged | None = UNCHANGED,
    status: str | Unchanged = UNCHANGED,
    group: str | Unchanged = UNCHANGED,
    by: User | None = None,
) -> Enrolment:
    """Change what an enrolment covers, who assesses and verifies it, when it started, or its status.

    The learner never changes (that is another enrolment). A specification with evidence mapped to it stays.
    `by` is who changes it, for the audit trail (None: the system).
    """
    locked = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("centre", "learner", "assessor", "internal_verifier")
        .get(pk=enrolment.pk)
    )
    centre = locked.centre
    was = {"assessor": locked.assessor, "internal_verifier": locked.internal_verifier}
    was_status, was_start, was_group = locked.status, locked.start_date, locked.group
    changed: set[str] = set()
    if assessor is not UNCHANGED and _pk(assessor) != locked.assessor_id:
        changed.add("assessor")
        locked.assessor = assessor
    if internal_verifier is not UNCHANGED and _pk(internal_verifier) != locked.internal_verifier_id:
        changed.add("internal_verifier")
        locked.internal_verifier = internal_verifier
    _check_people(
        centre=centre,
        learner=locked.learner,
        assessor=locked.assessor,
        internal_verifier=locked.internal_verifier,
        changed=changed,
    )
    if status is not UNCHANGED:
        if status not in Status.values:
            raise PortfolioError(
                f"There is no enrolment status {status!r}; choose from {', '.join(Status.labels)}."
            )
        locked.status = status
    if start_date is not UNCHANGED:
        locked.start_date = start_date
    if group is not UNCHANGED:
        locked.group = group.strip()

    current = list(locked.enrolled_specifications.select_related("specification"))
    covered = [enrolled.specification for enrolled in current]
    if specifications is not UNCHANGED:
        chosen = _unique_specifications(specifications)
        chosen_ids = {specification.pk for specification in chosen}
        removed = [enrolled for enrolled in current if enrolled.specification_id not in chosen_ids]
        _refuse_removing_mapped(locked, [enrolled.specification for enrolled in removed])
        EnrolledSpecification.objects.filter(pk__in=[enrolled.pk for enrolled in removed]).delete()
        kept_ids = {enrolled.specification_id for enrolled in current}
        added = [specification for specification in chosen if specification.pk not in kept_ids]
        next_position = max((enrolled.position for enrolled in current), default=-1) + 1
        EnrolledSpecification.objects.bulk_create(
            EnrolledSpecification(enrolment=locked, specification=specification, position=position)
            for position, specification in enumerate(added, start=next_position)
        )
        covered = chosen
    if locked.status in OPEN_STATUSES:
        _lock_learner(centre, locked.learner)
        _check_not_enrolled_twice(
            centre=centre, learner=locked.learner, specifications=covered, exclude=locked
        )
    locked.save()
    before = _enrolment_values(locked, [enrolled.specification for enrolled in current])
    before.update(
        assessor=person(was["assessor"]),
        internal_verifier=person(was["internal_verifier"]),
        status=str(Status(was_status).label),
        start_date=was_start,
        group=was_group,
    )
    after = _enrolment_values(locked, covered)
    if differ := [field for field in after if before[field] != after[field]]:
        record(
            actor=by,
            action="enrolment.updated",
            summary=f"Enrolment of {locked.learner} changed: "
            f"{', '.join(field.replace('_', ' ') for field in differ)}",
            subject=locked,
            learner=locked.learner,
            centre=centre,
            before={field: before[field] for field in differ},
            after={field: after[field] for field in differ},
        )
    return locked


def _enrolment_values(enrolment: Enrolment, specifications: Iterable[Specification]) -> dict[str, object]:
    """An enrolment as its audit entries show it before and after a change (specifications in code order)."""
    return {
        "specifications": sorted(f"{spec.code} v{spec.version}" for spec in specifications),
        "start_date": enrolment.start_date,
        "assessor": person(enrolment.assessor),
        "internal_verifier": person(enrolment.internal_verifier),
        "status": str(Status(enrolment.status).label),
        "group": enrolment.group,
    }


def _pk(person: User | None) -> int | None:
    return None if person is None else person.pk


def _refuse_removing_mapped(enrolment: Enrolment, specifications: list[Specification]) -> None:
    if not specifications:
        return
    mapped = (
        EvidenceMapping.objects.filter(
            evidence__enrolment=enrolment, criterion__specification__in=specifications
        )
        .values_list("criterion__specification_id", "evidence__number")
        .order_by("evidence__number")
        .distinct()
    )
    numbers: dict[int, list[int]] = {}
    for specification_id, number in mapped:
        numbers.setdefault(specification_id, []).append(number)
    for specification in specifications:
        if refs := numbers.get(specification.pk):
            evidence = ", ".join(f"E{number}" for number in refs)
            raise PortfolioError(
                f"{specification.code} version {specification.version} stays on this enrolment: evidence "
                f"{evidence} is mapped to its criteria. A specification cannot be removed once evidence is "
                "mapped to it."
            )
