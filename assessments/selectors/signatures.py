"""Signatures in force (those no void row points at), a unit's signing history, and the sign-off panel that says
who signs next."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from assessments.models import SignOff
from assessments.selectors.met import Progress
from centres.models import Enrolment
from units.models import Specification

Role = SignOff.Role


def signatures_in_force(*, enrolments: Iterable[Enrolment]) -> dict[tuple[int, int], dict[str, SignOff]]:
    """Signatures in force, per (enrolment, specification) and role."""
    found: dict[tuple[int, int], dict[str, SignOff]] = defaultdict(dict)
    for sign_off in (
        SignOff.objects.in_force().filter(enrolment__in=list(enrolments)).select_related("signer")
    ):
        found[(sign_off.enrolment_id, sign_off.specification_id)][sign_off.role] = sign_off
    return found


def signed_specification_ids(*, enrolment_id: int) -> set[int]:
    """Specifications whose judgements are frozen for this enrolment: a signature is in force."""
    return set(
        SignOff.objects.in_force()
        .filter(enrolment_id=enrolment_id)
        .values_list("specification_id", flat=True)
    )


def sign_off_history(*, enrolment: Enrolment, specification: Specification) -> list[SignOff]:
    """Every signature on the unit, in force or voided, oldest first, with its void row if any."""
    return list(
        SignOff.objects.filter(enrolment=enrolment, specification=specification)
        .select_related("signer", "void__voided_by")
        .order_by("signed_at", "pk")
    )


@dataclass(frozen=True)
class SignOffPanel:
    """The form's "unit assessed as being complete" box: the signatures in force, the voided ones, and what the
    person looking at it may sign now. The order is the form's: candidate, assessor, admin check, completion."""

    learner: SignOff | None
    assessor: SignOff | None
    admin_check: SignOff | None
    completion: SignOff | None
    voided: list[SignOff]
    signing_as: str  # "learner", "assessor" or "" for anyone else
    may_sign_now: bool  # their turn, and everything is met: the form is shown
    waiting: str  # why they cannot sign yet, in words; "" when there is nothing to wait for
    may_reopen: bool

    @property
    def in_force(self) -> bool:
        return any((self.learner, self.assessor, self.admin_check, self.completion))


def _turn(signing_as: str, learner: SignOff | None, assessor: SignOff | None) -> bool:
    """The learner signs first; then the assessor."""
    if signing_as == "learner":
        return learner is None
    if signing_as == "assessor":
        return learner is not None and assessor is None
    return False


def _signing_as(enrolment: Enrolment, user_id: int | None) -> str:
    """Whose signature the person would give: "learner", "assessor", or "" for anyone else."""
    if user_id == enrolment.learner_id:
        return "learner"
    if user_id == enrolment.assessor_id:
        return "assessor"
    return ""


def _waiting(signing_as: str, turn: bool, learner: SignOff | None, progress: Progress) -> str:
    """Why the person cannot sign yet, in words; "" when there is nothing to wait for."""
    if turn and not progress.complete:
        return f"Signing opens when all {progress.total} are met ({progress.met} so far)."
    if signing_as == "assessor" and learner is None:
        return "The learner signs first."
    return ""


def sign_off_panel(
    *,
    enrolment: Enrolment,
    specification: Specification,
    user_id: int | None,
    progress: Progress,
    may_reopen: bool,
) -> SignOffPanel:
    """The sign-off box for one person: `may_reopen` is their permission (the assessor's), asked by the view."""
    history = sign_off_history(enrolment=enrolment, specification=specification)
    in_force = {s.role: s for s in history if s.is_valid}
    signing_as = _signing_as(enrolment, user_id)
    learner, assessor = in_force.get(Role.LEARNER), in_force.get(Role.ASSESSOR)
    turn = _turn(signing_as, learner, assessor)
    return SignOffPanel(
        learner=learner,
        assessor=assessor,
        admin_check=in_force.get(Role.ADMIN_CHECK),
        completion=in_force.get(Role.COMPLETION),
        voided=[s for s in history if not s.is_valid],
        signing_as=signing_as,
        may_sign_now=turn and progress.complete,
        waiting=_waiting(signing_as, turn, learner, progress),
        may_reopen=may_reopen and bool(in_force),
    )
