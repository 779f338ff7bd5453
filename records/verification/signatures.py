"""Checking every signed record in the database, trusting neither its rows nor its server.

For each signature (learner, assessor, admin check, completion confirmed), each void and each IV sample decision:
the centre key's Ed25519 signature over its statement, verified with the published key set alone; its digest
against what it records as signed; the row against the audit trail's entry for it (written in the same
transaction); and, for a signature in force, what it covers now against what was signed. The audit trail's
record of every void must still have its void row, so a deleted void cannot bring a signature back into force.
Each problem is one line naming the record and what differs.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assessments.models import SignOff, SignOffVoid
from assessments.services.signatures import digest_of
from audit.models import AuditEntry
from quality.models import SampleDecision
from quality.services.signatures import payload_for
from signing.keys import SignatureInvalid, SigningError, verify_statement

SIGNED = "signoff.signed"
VOIDED = "signoff.voided"
DECIDED = "iqa.sample_decided"


@dataclass
class Trail:
    """The audit trail's entries about signed records, found once: by subject, and every void it records."""

    signed: dict[int, AuditEntry] = field(default_factory=dict)
    decided: dict[int, AuditEntry] = field(default_factory=dict)
    voids: list[AuditEntry] = field(default_factory=list)

    @classmethod
    def load(cls) -> "Trail":
        trail = cls()
        entries = AuditEntry.objects.filter(action__in=[SIGNED, VOIDED, DECIDED]).only(
            "pk", "action", "subject_id", "before", "after"
        )
        for entry in entries.order_by("pk"):
            if entry.action == VOIDED:
                trail.voids.append(entry)
            elif entry.subject_id.isdigit():
                (trail.signed if entry.action == SIGNED else trail.decided)[int(entry.subject_id)] = entry
        return trail

    def voided(self) -> dict[int, tuple[int, AuditEntry]]:
        """Signature id -> (void id, entry), for every void the trail records by id."""
        return {
            item["signature"]: (item["void"], entry)
            for entry in self.voids
            for item in (entry.after or {}).get("voided", [])
        }

    def voided_digests(self) -> dict[str, AuditEntry]:
        """Digests of signatures voided by entries written before voids were recorded by id."""
        return {
            digest: entry
            for entry in self.voids
            if "voided" not in (entry.after or {})
            for digest in (entry.before or {}).get("signatures", [])
        }


def _label(signature: SignOff) -> str:
    return (
        f"{signature.specification.code} {signature.role} signature #{signature.pk} by "
        f"{signature.name_printed} ({signature.signed_at:%Y-%m-%d %H:%M})"
    )


def _key_problem(label: str, row: Any, entry: AuditEntry | None, at: Any) -> list[str]:
    """The row's key signature over its statement; a row without one is only accepted if its audit entry (made
    before records were signed by a key) has none either."""
    if not row.key_signature:
        if entry is not None and (entry.after or {}).get("key_signature"):
            return [
                f"{label}: its key signature is gone, but the audit trail records one (audit entry {entry.pk})"
            ]
        return []
    try:
        verify_statement(row.centre_id, row.statement(), row.key_id, row.key_signature, at=at)
    except (SignatureInvalid, SigningError) as error:
        return [f"{label}: the key signature does not verify: {error}"]
    return []


def _audit_problem(label: str, entry: AuditEntry | None, values: dict[str, Any], what: str) -> list[str]:
    """The row's values against those its audit entry recorded when it was written."""
    if entry is None:
        return [f"{label}: no audit entry records it being {what}"]
    after = entry.after or {}
    differing = sorted(name for name, value in values.items() if name in after and after[name] != value)
    if differing:
        verb = "differs" if len(differing) == 1 else "differ"
        return [f"{label}: its {', '.join(differing)} {verb} from the audit trail's (audit entry {entry.pk})"]
    return []


def _coverage_problem(label: str, signature: SignOff) -> list[str]:
    now = payload_for(
        enrolment=signature.enrolment,
        specification=signature.specification,
        role=signature.role,
        checked_on=signature.covered.get("checked_on"),
    )
    if digest_of(now) == signature.digest:
        return []
    changed = sorted(key for key in now if now.get(key) != signature.covered.get(key))
    return [f"{label}: what it covers has changed since signing ({', '.join(changed)})"]


def _signature_problems(signature: SignOff, trail: Trail) -> list[str]:
    label = _label(signature)
    if digest_of(signature.covered) != signature.digest:
        return [f"{label}: the stored digest does not match what it records as signed"]
    entry = trail.signed.get(signature.pk)
    problems = _key_problem(label, signature, entry, signature.signed_at)
    problems += _audit_problem(
        label,
        entry,
        {
            "role": signature.role,
            "digest": signature.digest,
            "key_id": signature.key_id,
            "key_signature": signature.key_signature,
        },
        "signed",
    )
    if not problems and signature.is_valid:
        problems += _coverage_problem(label, signature)
    return problems


def _void_problems(voids: Iterable[SignOffVoid], trail: Trail, signatures: dict[int, SignOff]) -> list[str]:
    """Each void row signed and in the trail; each void the trail records still there (else a signature would
    count as in force again)."""
    problems = []
    by_id = trail.voided()
    legacy = trail.voided_digests()
    rows = {void.signature_id: void for void in voids}
    for void in rows.values():
        label = f"void #{void.pk} of {_label(void.signature)}"
        recorded = by_id.get(void.signature_id)
        entry = recorded[1] if recorded else legacy.get(void.signature.digest)
        problems += _key_problem(label, void, entry, void.voided_at)
        if entry is None:
            problems.append(f"{label}: no audit entry records the void")
        elif recorded and recorded[0] != void.pk:
            problems.append(f"{label}: the audit trail records void #{recorded[0]} (audit entry {entry.pk})")
    for signature_id, (void_id, entry) in sorted(by_id.items()):
        if signature_id in rows:
            continue
        signature = signatures.get(signature_id)
        name = _label(signature) if signature else f"signature #{signature_id}"
        problems.append(
            f"{name}: voided by void #{void_id} (audit entry {entry.pk}), but that void row is gone: "
            "it must not count as in force"
        )
    return problems


def _missing_signature_problems(trail: Trail, signatures: dict[int, SignOff]) -> list[str]:
    return [
        f"signature #{pk}: the audit trail records it being signed (audit entry {entry.pk}), but its row is gone"
        for pk, entry in sorted(trail.signed.items())
        if pk not in signatures
    ]


def _decision_problems(decision: SampleDecision, trail: Trail) -> list[str]:
    sample = decision.sample
    label = (
        f"IV decision #{decision.pk} on {sample.get_kind_display().lower()} sample #{sample.pk} "
        f"({sample.specification.code} for {sample.enrolment.learner.full_name})"
    )
    entry = trail.decided.get(decision.pk)
    problems = _key_problem(label, decision, entry, decision.decided_at)
    looked_at = sorted(j.pk for j in decision.judgements.all())
    problems += _audit_problem(
        label,
        entry,
        {
            "agrees": decision.agrees,
            "valid": decision.valid,
            "authentic": decision.authentic,
            "current": decision.current,
            "sufficient": decision.sufficient,
            "feedback": decision.feedback,
            "judgements": looked_at,
            "key_id": decision.key_id,
            "key_signature": decision.key_signature,
        },
        "decided",
    )
    if decision.key_signature and looked_at != [item["judgement"] for item in decision.looked_at]:
        problems.append(f"{label}: the judgements it points at differ from those its signed record looked at")
    return problems


@dataclass(frozen=True)
class Verified:
    """What was checked, and every problem found (one line each)."""

    signatures: int
    voids: int
    decisions: int
    problems: list[str]


def verify_signed_records() -> Verified:
    """Check every signature, void and IV decision; see the module's docstring."""
    trail = Trail.load()
    signatures = {
        s.pk: s
        for s in SignOff.objects.select_related(
            "enrolment__learner", "enrolment__centre", "specification", "void"
        ).order_by("pk")
    }
    problems: list[str] = []
    for signature in signatures.values():
        problems += _signature_problems(signature, trail)
    problems += _missing_signature_problems(trail, signatures)
    voids = list(
        SignOffVoid.objects.select_related("signature__enrolment", "signature__specification").order_by("pk")
    )
    problems += _void_problems(voids, trail, signatures)
    decisions = list(
        SampleDecision.objects.select_related("sample__enrolment__learner", "sample__specification")
        .prefetch_related("judgements")
        .order_by("pk")
    )
    for decision in decisions:
        problems += _decision_problems(decision, trail)
    return Verified(len(signatures), len(voids), len(decisions), problems)


def verify_signatures() -> list[str]:
    """Every problem with the signed records, one line each; an empty list when all verify."""
    return verify_signed_records().problems


__all__ = ["Verified", "verify_signatures", "verify_signed_records"]
