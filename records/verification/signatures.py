"""Checking every signature in the database: its digest against what it records as signed, and, for a signature
in force, what it covers now against what was signed."""

from assessments.models import SignOff
from assessments.services.signatures import digest_of
from quality.services.signatures import payload_for


def _label(signature: SignOff) -> str:
    return (
        f"{signature.specification.code} {signature.role} signature #{signature.pk} by "
        f"{signature.name_printed} ({signature.signed_at:%Y-%m-%d %H:%M})"
    )


def verify_signatures() -> list[str]:
    """Recompute every signature's digest, and for signatures in force what they cover now; name mismatches."""
    problems = []
    for signature in SignOff.objects.select_related(
        "enrolment__learner", "enrolment__centre", "specification", "void"
    ):
        label = _label(signature)
        if digest_of(signature.covered) != signature.digest:
            problems.append(f"{label}: the stored digest does not match what it records as signed")
            continue
        if signature.is_valid:
            now = payload_for(
                enrolment=signature.enrolment,
                specification=signature.specification,
                role=signature.role,
                checked_on=signature.covered.get("checked_on"),
            )
            if digest_of(now) != signature.digest:
                changed = sorted(key for key in now if now.get(key) != signature.covered.get(key))
                problems.append(f"{label}: what it covers has changed since signing ({', '.join(changed)})")
    return problems
