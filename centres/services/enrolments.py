"""Enrolling learners and changing enrolments: one transaction each, audited; refusals raise `CentreError`."""

import datetime
import enum
from collections.abc import Iterable, Sequence

from django.db import transaction

from accounts.models import User
from audit.services import person, record
from centres.models import Centre, EnrolledSpecification, Enrolment, Membership
from centres.services import CentreError
from centres.signals import specifications_leaving
from units.models import Specification
from units.selectors import countable_lines

Role = Membership.Role
Status = Enrolment.Status
OPEN_STATUSES = (Status.ACTIVE, Status.ON_HOLD)


class Unchanged(enum.Enum):
    """`update_enrolment`'s default: leave this field as it is (None means "nobody" for assessor and IV)."""

    UNCHANGED = enum.auto()


UNCHANGED = Unchanged.UNCHANGED


def enrolled_on(enrolment: Enrolment, specification: Specification, position: int) -> EnrolledSpecification:
    """A specification put on an enrolment, with its stored progress: nothing can be mapped to it before, so
    none of its lines has evidence or is met yet."""
    lines = len(countable_lines(specification_ids=[specification.pk])[specification.pk])
    return EnrolledSpecification(
        enrolment=enrolment, specification=specification, position=position, lines=lines
    )


def _holders(centre: Centre, people: Iterable[User | None]) -> dict[int, set[str]]:
    """The roles these people hold at the centre, by user id (one query)."""
    ids = {someone.pk for someone in people if someone is not None}
    roles: dict[int, set[str]] = {}
    for user_id, role in Membership.objects.filter(centre=centre, user_id__in=ids).values_list(
        "user_id", "role"
    ):
        roles.setdefault(user_id, set()).add(role)
    return roles


def _refuse_self_assessment(learner: User, assessor: User | None, internal_verifier: User | None) -> None:
    """No one assesses or verifies themselves, and an IV never verifies the assessor's (their own) decisions."""
    if assessor is not None and assessor.pk == learner.pk:
        raise CentreError("A learner cannot be their own assessor: choose someone else as assessor.")
    if internal_verifier is not None and internal_verifier.pk == learner.pk:
        raise CentreError("A learner cannot be their own internal verifier: choose someone else as IV.")
    if internal_verifier is not None and assessor is not None and internal_verifier.pk == assessor.pk:
        raise CentreError(
            f"{assessor} cannot verify their own assessment decisions: choose a different internal verifier "
            "from the assessor."
        )


def _check_people(
    *, centre: Centre, learner: User, assessor: User | None, internal_verifier: User | None, changed: set[str]
) -> None:
    """No one assesses or verifies themselves, then each person being set holds the role at the centre."""
    _refuse_self_assessment(learner, assessor, internal_verifier)
    people = {"learner": learner, "assessor": assessor, "internal_verifier": internal_verifier}
    roles = _holders(centre, (people[field] for field in changed))
    for field, role, title in (
        ("learner", Role.LEARNER, "a learner"),
        ("assessor", Role.ASSESSOR, "an assessor"),
        ("internal_verifier", Role.INTERNAL_VERIFIER, "an internal verifier"),
    ):
        someone = people[field]
        if field in changed and someone is not None and role not in roles.get(someone.pk, set()):
            raise CentreError(
                f"{someone} is not {title} at {centre}: give them that role first, or choose someone else."
            )


def _unique_specifications(specifications: Iterable[Specification]) -> list[Specification]:
    """The specifications chosen, each once, in the order first chosen; choosing none is refused."""
    chosen = list({specification.pk: specification for specification in specifications}.values())
    if not chosen:
        raise CentreError("Choose at least one specification to enrol the learner on.")
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
        raise CentreError(
            f"{learner} is already enrolled on {spec.code} version {spec.version} here (from "
            f"{clash.enrolment.start_date:%d/%m/%Y}, {clash.enrolment.get_status_display().lower()}): edit that "
            "enrolment instead."
        )


def _lock_learner(centre: Centre, learner: User) -> None:
    """Serialise enrolments of one learner, so two at once cannot both pass the duplicate check."""
    list(Membership.objects.select_for_update().filter(centre=centre, user=learner, role=Role.LEARNER))


def _codes(specifications: Iterable[Specification]) -> list[str]:
    return sorted(f"{spec.code} v{spec.version}" for spec in specifications)


def _values(enrolment: Enrolment, specifications: Iterable[Specification]) -> dict[str, object]:
    """An enrolment as its audit entries show it before and after a change (specifications in code order)."""
    return {
        "specifications": _codes(specifications),
        "start_date": enrolment.start_date,
        "assessor": person(enrolment.assessor),
        "internal_verifier": person(enrolment.internal_verifier),
        "status": str(Status(enrolment.status).label),
        "group": enrolment.group,
    }


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
        enrolled_on(enrolment, specification, position) for position, specification in enumerate(chosen)
    )
    after = _values(enrolment, chosen)
    record(
        actor=by,
        action="enrolment.created",
        summary=f"{learner} enrolled on {', '.join(_codes(chosen))} from {start_date:%d/%m/%Y}",
        subject=enrolment,
        learner=learner,
        centre=centre,
        after=after,
    )
    return enrolment


def _pk(someone: User | None) -> int | None:
    return None if someone is None else someone.pk


def _set_people(
    locked: Enrolment, assessor: User | Unchanged | None, internal_verifier: User | Unchanged | None
) -> set[str]:
    """Put the new assessor and IV on the (locked) enrolment; the names of the fields that changed."""
    changed: set[str] = set()
    if not isinstance(assessor, Unchanged) and _pk(assessor) != locked.assessor_id:
        changed.add("assessor")
        locked.assessor = assessor
    if not isinstance(internal_verifier, Unchanged) and _pk(internal_verifier) != locked.internal_verifier_id:
        changed.add("internal_verifier")
        locked.internal_verifier = internal_verifier
    return changed


def _set_fields(
    locked: Enrolment, status: str | Unchanged, start_date: datetime.date | Unchanged, group: str | Unchanged
) -> None:
    """Put the new status, start date and group on the (locked) enrolment; a status that does not exist is
    refused."""
    if not isinstance(status, Unchanged):
        if status not in Status.values:
            raise CentreError(
                f"There is no enrolment status {status!r}; choose from {', '.join(Status.labels)}."
            )
        locked.status = status
    if not isinstance(start_date, Unchanged):
        locked.start_date = start_date
    if not isinstance(group, Unchanged):
        locked.group = group.strip()


def _set_specifications(
    locked: Enrolment, current: list[EnrolledSpecification], specifications: Iterable[Specification]
) -> list[Specification]:
    """Make the enrolment cover exactly `specifications`, in the order chosen after those it keeps. Floors above
    may refuse to let one go (`centres.signals.specifications_leaving`)."""
    chosen = _unique_specifications(specifications)
    chosen_ids = {specification.pk for specification in chosen}
    _remove_specifications(
        locked, [enrolled for enrolled in current if enrolled.specification_id not in chosen_ids]
    )
    current_ids = {enrolled.specification_id for enrolled in current}
    _append_specifications(
        locked, current, [specification for specification in chosen if specification.pk not in current_ids]
    )
    return chosen


def _remove_specifications(locked: Enrolment, removed: list[EnrolledSpecification]) -> None:
    """Take specifications off the enrolment, once the floors above agree: a receiver of
    `specifications_leaving` that must keep one raises `CentreError`, and nothing is removed."""
    if not removed:
        return
    specifications_leaving.send(
        sender=Enrolment,
        enrolment=locked,
        specifications=[enrolled.specification for enrolled in removed],
    )
    EnrolledSpecification.objects.filter(pk__in=[enrolled.pk for enrolled in removed]).delete()


def _append_specifications(
    locked: Enrolment, current: list[EnrolledSpecification], added: list[Specification]
) -> None:
    """Put `added` on the enrolment in the order given, after every position `current` holds."""
    next_position = max((enrolled.position for enrolled in current), default=-1) + 1
    EnrolledSpecification.objects.bulk_create(
        enrolled_on(locked, specification, position)
        for position, specification in enumerate(added, start=next_position)
    )


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

    The learner never changes (that is another enrolment). `by` is who changes it, for the audit trail (None:
    the system).
    """
    locked = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("centre", "learner", "assessor", "internal_verifier")
        .get(pk=enrolment.pk)
    )
    current = list(locked.enrolled_specifications.select_related("specification"))
    before = _values(locked, [enrolled.specification for enrolled in current])
    changed = _set_people(locked, assessor, internal_verifier)
    _check_people(
        centre=locked.centre,
        learner=locked.learner,
        assessor=locked.assessor,
        internal_verifier=locked.internal_verifier,
        changed=changed,
    )
    _set_fields(locked, status, start_date, group)
    covered = [enrolled.specification for enrolled in current]
    if not isinstance(specifications, Unchanged):
        covered = _set_specifications(locked, current, specifications)
    if locked.status in OPEN_STATUSES:
        _lock_learner(locked.centre, locked.learner)
        _check_not_enrolled_twice(
            centre=locked.centre, learner=locked.learner, specifications=covered, exclude=locked
        )
    locked.save()
    _record_update(locked, before=before, after=_values(locked, covered), by=by)
    return locked


def _record_update(
    locked: Enrolment, *, before: dict[str, object], after: dict[str, object], by: User | None
) -> None:
    """One audit entry with the fields that changed, before and after; none when nothing changed."""
    differ = [field for field in after if before[field] != after[field]]
    if not differ:
        return
    record(
        actor=by,
        action="enrolment.updated",
        summary=f"Enrolment of {locked.learner} changed: "
        f"{', '.join(field.replace('_', ' ') for field in differ)}",
        subject=locked,
        learner=locked.learner,
        centre=locked.centre,
        before={field: before[field] for field in differ},
        after={field: after[field] for field in differ},
    )
