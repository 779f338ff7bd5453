"""Writing the audit trail and checking that it is whole.

`record` is called by every service that changes state, inside that service's transaction and as its last
write: the entry commits or rolls back with the change. The caller names the entry's centre (this app knows no
centres): that picks its chain. Writers of one chain are serialised (a transaction-scoped advisory lock per chain
on PostgreSQL; SQLite allows one writer at a time anyway), so a chain never forks, and writers of different
centres never wait for each other; the unique (centre, sequence) is the backstop. The lock is held until the
caller's transaction ends, which is why `record` should come last.
"""

import datetime
import hashlib
import json
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from audit.models import GENESIS_HASH, AuditEntry, chain_id

Subject = models.Model | tuple[str, Any]


class AuditError(Exception):
    """`record` was used in a way that could lose or fork the trail (outside a transaction)."""


def person(user: User | None) -> dict[str, Any] | None:
    """A person as before/after values keep them: their id, and their name as it was at the time."""
    return None if user is None else {"id": user.pk, "name": user.full_name or user.email}


def json_safe(value: Any) -> Any:
    """The value as it will read back from a JSONField, so its hash verifies later on any database.

    Dates become ISO 8601 and decimals, UUIDs and floats strings (PostgreSQL's jsonb would read 1e20 back as
    an integer, changing its JSON form).
    """
    if value is None:
        return None
    return _no_floats(json.loads(json.dumps(value, cls=DjangoJSONEncoder)))


def _no_floats(value: Any) -> Any:
    """Every float, however deeply nested, as its `repr` (see `json_safe`)."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {key: _no_floats(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_no_floats(item) for item in value]
    return value


def canonical(fields: dict[str, Any]) -> bytes:
    """One byte string per content: sorted keys, no spaces, UTF-8 (the form the hash is taken over)."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def _instant(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    """What `entry_hash` covers: every field of the entry except the two hashes."""
    return {
        "sequence": entry.sequence,
        "at": _instant(entry.at),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "centre": entry.centre_id,
        "learner": entry.learner_id,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "summary": entry.summary,
        "before": entry.before,
        "after": entry.after,
    }


def entry_hash(entry: AuditEntry) -> str:
    """sha256(previous_hash ‖ canonical JSON of the entry's fields), as 64 hex digits."""
    return hashlib.sha256(entry.previous_hash.encode("ascii") + canonical(hashed_fields(entry))).hexdigest()


def _subject(subject: Subject) -> tuple[str, str]:
    """The subject's type and id as the entry keeps them; a row must be saved first, to have an id."""
    if isinstance(subject, models.Model):
        if subject.pk is None:
            raise AuditError(f"Record {subject._meta.label_lower} after it is saved: it has no id yet.")
        return subject._meta.label_lower, str(subject.pk)
    subject_type, subject_id = subject
    return str(subject_type), str(subject_id)


def _id(row: models.Model | int | None) -> int | None:
    return row.pk if isinstance(row, models.Model) else row


def chain_lock_key(centre_id: int | None) -> int:
    """The chain's pg_advisory_xact_lock key: the first eight bytes of sha256("audit.AuditEntry:<chain>"), as a
    signed bigint (a collision between two chains would only make them wait for each other)."""
    digest = hashlib.sha256(f"audit.AuditEntry:{chain_id(centre_id)}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _lock_chain(centre_id: int | None) -> None:
    """Serialise one chain's writers until the caller's transaction ends (on PostgreSQL; SQLite has one writer
    at a time anyway)."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [chain_lock_key(centre_id)])


def in_chain(centre_id: int | None) -> models.QuerySet[AuditEntry]:
    """The entries of one chain (a centre's, or the site's for None), in order."""
    entries = AuditEntry.objects.all()
    entries = (
        entries.filter(centre__isnull=True) if centre_id is None else entries.filter(centre_id=centre_id)
    )
    return entries.order_by("sequence")


def record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    summary: str,
    subject: Subject,
    learner: User | int | None = None,
    centre: models.Model | int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the trail, in the caller's transaction; `actor` None (or anonymous) is the system.

    `subject` is the row the action was about, or `("app.model", id)` for one that no longer exists (a removed
    mapping). `learner` and `centre` (rows or their ids) place the entry in a portfolio's history; `centre` also
    picks the chain (none: the site's chain, for what belongs to no centre, such as signing in).
    """
    if not transaction.get_connection().in_atomic_block:
        raise AuditError(
            f"{action} was not recorded: an audit entry must be written in the transaction of its change."
        )
    if actor is not None and not actor.is_authenticated:
        actor = None
    subject_type, subject_id = _subject(subject)
    centre_id = _id(centre)
    _lock_chain(centre_id)
    last = in_chain(centre_id).reverse().values_list("sequence", "entry_hash").first()
    sequence, previous_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    entry = AuditEntry(
        sequence=sequence,
        at=timezone.now(),
        actor=actor,
        actor_name=(actor.full_name or actor.email) if actor else "System",
        action=action,
        centre_id=centre_id,
        learner_id=_id(learner),
        subject_type=subject_type,
        subject_id=subject_id,
        summary=summary,
        before=json_safe(before),
        after=json_safe(after),
        previous_hash=previous_hash,
    )
    entry.entry_hash = entry_hash(entry)
    entry.save(force_insert=True)
    return entry


def chains() -> list[int | None]:
    """Every chain that has entries, by centre id: the site's (None) first, then centres in order."""
    centres = set(AuditEntry.objects.order_by().values_list("centre_id", flat=True).distinct())
    return ([None] if None in centres else []) + sorted(c for c in centres if c is not None)


def verify_one_chain(centre_id: int | None) -> list[str]:
    """Every break in one chain, in words; an empty list when it is whole.

    Finds a missing entry (a gap in the sequence), an entry that does not follow the one before it (its
    `previous_hash` differs) and an entry whose content no longer matches its own hash (edited). A chain that
    was rewritten and re-hashed whole, or cut short, is whole by itself: `audit.checkpoints` compares it with
    signed checkpoints of its head (`manage.py verify_audit --checkpoints DIR`) to catch that.
    """
    name = chain_id(centre_id)
    problems: list[str] = []
    expected_sequence, expected_previous = 1, GENESIS_HASH
    for entry in in_chain(centre_id).iterator(chunk_size=2000):
        if entry.sequence != expected_sequence:  # sequences are unique and read in order: this is a gap
            first, last = expected_sequence, entry.sequence - 1
            missing = f"entry {first} is" if first == last else f"entries {first} to {last} are"
            problems.append(
                f"chain {name}: {missing} missing: the sequence jumps from {first - 1} to {entry.sequence}"
            )
        elif entry.previous_hash != expected_previous:
            problems.append(
                f"chain {name}: entry {entry.sequence} does not follow entry {entry.sequence - 1}: it names "
                f"previous hash {entry.previous_hash[:12]}…, the entry before it has {expected_previous[:12]}…"
            )
        if entry_hash(entry) != entry.entry_hash:
            problems.append(
                f"chain {name}: entry {entry.sequence} ({entry.action}) does not match its hash: it was changed "
                "after it was written"
            )
        expected_sequence, expected_previous = entry.sequence + 1, entry.entry_hash
    return problems


def verify_chain() -> list[str]:
    """Every break in every chain of the trail (`verify_one_chain`), the site's chain first."""
    return [problem for centre_id in chains() for problem in verify_one_chain(centre_id)]


def chain_head(centre_id: int | None) -> AuditEntry | None:
    """The newest entry of a chain: its sequence and hash vouch for everything before it in that chain."""
    return in_chain(centre_id).last()
