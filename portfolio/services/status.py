"""The one place an evidence's status changes: every transition checks where it comes from, raises the version
(so a form based on the state before is refused) and writes its audit entry, in the caller's transaction.

    draft ──submit──▶ submitted ──accept──▶ accepted
    referred ─resubmit─▶ resubmitted ──refer──▶ referred
    accepted / referred ──reopen (an IV's disagreement)──▶ submitted

The floors above decide when (an assessor accepts, an IV reopens); this module decides what a change of status is.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone

from accounts.models import User
from audit.services import record
from portfolio.models import Evidence
from portfolio.services import PortfolioError
from portfolio.signals import evidence_changed

Status = Evidence.Status


@dataclass(frozen=True)
class Transition:
    action: str  # the audit entry's code
    verb: str  # as in "E3 cannot be <verb>"
    sources: frozenset[str]
    target: str


SUBMIT = Transition("evidence.submitted", "submitted", frozenset({Status.DRAFT}), Status.SUBMITTED)
RESUBMIT = Transition("evidence.resubmitted", "resubmitted", frozenset({Status.REFERRED}), Status.RESUBMITTED)
ACCEPT = Transition("evidence.accepted", "accepted", frozenset(Evidence.AWAITING_STATUSES), Status.ACCEPTED)
REFER = Transition(
    "evidence.referred", "referred back", frozenset(Evidence.AWAITING_STATUSES), Status.REFERRED
)
REOPEN = Transition(
    "evidence.reopened", "reopened", frozenset({Status.ACCEPTED, Status.REFERRED}), Status.SUBMITTED
)


def bump_version(evidence: Evidence) -> None:
    """Any assessment change raises the version: a form based on an older one is then refused as stale."""
    Evidence.objects.filter(pk=evidence.pk).update(version=F("version") + 1, updated_at=timezone.now())
    evidence.refresh_from_db(fields=["version", "status", "updated_at"])


def change_status(
    *,
    evidence: Evidence,
    transition: Transition,
    by: User,
    summary: str,
    audited: dict[str, Any] | None = None,
    **fields: Any,
) -> Evidence:
    """Move locked evidence along `transition`, setting `fields` with it; `audited` adds to the entry's after."""
    if evidence.status not in transition.sources:
        raise PortfolioError(
            f"{evidence.reference} is {evidence.get_status_display().lower()}: it cannot be {transition.verb}."
        )
    before = evidence.status
    evidence.status = transition.target
    for name, value in fields.items():
        setattr(evidence, name, value)
    evidence.save(update_fields=["status", "updated_at", *fields])
    bump_version(evidence)
    record(
        actor=by,
        action=transition.action,
        summary=summary,
        subject=evidence,
        learner=evidence.learner,
        centre=evidence.centre,
        before={"status": before},
        after={"status": evidence.status, **(audited or {})},
    )
    evidence_changed.send(sender=Evidence, evidence=evidence)
    return evidence
