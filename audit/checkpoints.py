"""Signed checkpoints of each audit chain's head, kept in the database and written out as files kept elsewhere.

A chain is whole by itself even after someone who can write to the database edited an entry and re-hashed every
entry after it with `audit.services.entry_hash`: only its head changes. A checkpoint is the centre's signature
(Ed25519 through `signing.keys.sign`; the site's key for the site's chain) over the chain's name, its head's
sequence and hash and the time. Copied off the server as a file, it cannot be rewritten without the centre's
private key (which is never in the database), so `verify_audit --checkpoints DIR` finds a rewritten or shortened
chain even when the database's own checkpoints were deleted too.

`checkpoint_audit` makes them on a timer (README, Production); `checkpoint_after_commit` makes one after a
change worth fixing at once (each sign-off).
"""

import base64
import binascii
import datetime
import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.models import AuditCheckpoint, centre_of_chain, chain_id
from audit.services import chain_head, in_chain
from signing.keys import KeySet, SigningError, canonical, sign

logger = logging.getLogger(__name__)

KIND = "portfolio-audit-checkpoint"


class CheckpointError(Exception):
    """A checkpoint file that cannot be read, or a directory that is not there: one line, naming it."""


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint as a verifier reads it, from the database or from a file (`source` says which)."""

    chain: str
    sequence: int
    entry_hash: str
    at: datetime.datetime
    key_id: str
    signature: bytes
    source: str

    @property
    def payload(self) -> bytes:
        return signed_payload(
            chain=self.chain, sequence=self.sequence, entry_hash=self.entry_hash, at=self.at
        )

    @classmethod
    def from_row(cls, row: AuditCheckpoint) -> "Checkpoint":
        try:
            signature = base64.b64decode(row.signature, validate=True)
        except binascii.Error:
            signature = b""  # a row written behind the app's back: it fails verification, with a reason
        return cls(
            chain=row.chain,
            sequence=row.sequence,
            entry_hash=row.entry_hash,
            at=row.at,
            key_id=row.key_id,
            signature=signature,
            source=f"database checkpoint {row.pk}",
        )

    @classmethod
    def from_file(cls, path: Path) -> "Checkpoint":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("kind") != KIND:
                raise ValueError(f'"kind" is not "{KIND}"')
            at = datetime.datetime.fromisoformat(data["at"])
            if at.tzinfo is None:
                raise ValueError('"at" has no time zone')
            sequence = int(data["sequence"])
            if not 1 <= sequence < 2**63:
                raise ValueError(f'"sequence" {sequence} is not an entry\'s place in a chain')
            return cls(
                chain=str(data["chain"]),
                sequence=sequence,
                entry_hash=str(data["hash"]),
                at=at,
                key_id=str(data["key_id"]),
                signature=base64.b64decode(data["signature"], validate=True),
                source=str(path),
            )
        except (OSError, UnicodeDecodeError, binascii.Error) as error:
            raise CheckpointError(f"{path}: not readable as a checkpoint ({error})") from None
        except (ValueError, KeyError, TypeError) as error:
            reason = f"no {error}" if isinstance(error, KeyError) else str(error)
            raise CheckpointError(f"{path}: not an audit checkpoint ({reason})") from None


def signed_payload(*, chain: str, sequence: int, entry_hash: str, at: datetime.datetime) -> bytes:
    """What a checkpoint's signature covers; `kind` keeps it from being taken for any other signed record."""
    return canonical({"kind": KIND, "chain": chain, "sequence": sequence, "hash": entry_hash, "at": at})


def file_name(checkpoint: AuditCheckpoint) -> str:
    """One file per checkpoint, never overwritten: the chain, the entry and the moment."""
    moment = checkpoint.at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{checkpoint.chain}-{checkpoint.sequence}-{moment}.json"


def file_content(checkpoint: AuditCheckpoint) -> str:
    fields: dict[str, Any] = {
        "kind": KIND,
        "chain": checkpoint.chain,
        "sequence": checkpoint.sequence,
        "hash": checkpoint.entry_hash,
        "at": checkpoint.at.astimezone(datetime.UTC).isoformat(),
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
    }
    return json.dumps(fields, indent=2) + "\n"


def write_file(checkpoint: AuditCheckpoint, directory: Path) -> Path:
    """The checkpoint as a file in `directory`; one already there (the same checkpoint) is left as it is."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / file_name(checkpoint)
    try:
        with path.open("x", encoding="utf-8") as out:
            out.write(file_content(checkpoint))
    except FileExistsError:
        pass
    return path


def checkpoint_dir() -> Path:
    return Path(settings.CHECKPOINT_DIR)


@dataclass(frozen=True)
class Made:
    checkpoint: AuditCheckpoint
    new: bool  # False: the chain's head had not moved since its latest checkpoint, which was kept
    path: Path


def make_checkpoint(*, centre_id: int | None, out: Path | None = None) -> Made | None:
    """Sign the chain's head now and keep it, in the database and as a file in `out` (CHECKPOINT_DIR).

    None for a chain with no entries. When the head has not moved since the chain's latest checkpoint, that one
    is kept (and its file written again if it is missing) instead of signing the same head twice.
    """
    chain = chain_id(centre_id)
    with transaction.atomic():
        head = chain_head(centre_id)
        if head is None:
            return None
        latest = AuditCheckpoint.objects.filter(chain=chain).order_by("-id").first()
        new = latest is None or (latest.sequence, latest.entry_hash) != (head.sequence, head.entry_hash)
        if new:
            at = timezone.now()
            key_id, signature = sign(
                centre_id,
                signed_payload(chain=chain, sequence=head.sequence, entry_hash=head.entry_hash, at=at),
            )
            latest = AuditCheckpoint.objects.create(
                chain=chain,
                sequence=head.sequence,
                entry_hash=head.entry_hash,
                at=at,
                key_id=key_id,
                signature=base64.b64encode(signature).decode("ascii"),
            )
    assert latest is not None
    return Made(checkpoint=latest, new=new, path=write_file(latest, out or checkpoint_dir()))


def _checkpoint_now(centre_id: int | None) -> None:
    """After a commit: a failure is logged, never raised into the request whose change has already committed;
    the next `checkpoint_audit` covers the same head."""
    try:
        make_checkpoint(centre_id=centre_id)
    except (SigningError, OSError) as error:
        logger.error(
            "audit checkpoint of chain %s failed (the next checkpoint_audit covers it): %s",
            chain_id(centre_id),
            error,
        )


def checkpoint_after_commit(*, centre_id: int | None) -> None:
    """Checkpoint the chain once the caller's transaction commits (a sign-off is fixed at once, not at the next
    timer run); nothing happens if it rolls back."""
    transaction.on_commit(lambda: _checkpoint_now(centre_id))


def read_directory(directory: Path) -> tuple[list[Checkpoint], list[str]]:
    """Every checkpoint file under `directory` (*.json, subdirectories too), and a line for each unreadable one."""
    if not directory.is_dir():
        raise CheckpointError(f"{directory}: no such directory of checkpoints")
    checkpoints, problems = [], []
    for path in sorted(directory.rglob("*.json")):
        try:
            checkpoints.append(Checkpoint.from_file(path))
        except CheckpointError as error:
            problems.append(str(error))
    return checkpoints, problems


def stored_checkpoints() -> list[Checkpoint]:
    return [
        Checkpoint.from_row(row) for row in AuditCheckpoint.objects.order_by("id").iterator(chunk_size=2000)
    ]


def _trusted(checkpoint: Checkpoint, keys: KeySet) -> str | None:
    """Why the checkpoint cannot be trusted (a bad signature, another centre's key), or None."""
    try:
        centre_id = centre_of_chain(checkpoint.chain)
        keys.verify(checkpoint.key_id, checkpoint.payload, checkpoint.signature, at=checkpoint.at)
        if keys.get(checkpoint.key_id).centre != centre_id:
            return f"key {checkpoint.key_id} does not sign for chain {checkpoint.chain}"
    except (ValueError, SigningError) as error:
        return str(error)
    return None


def _against_chain(chain: str, checkpoints: list[Checkpoint]) -> list[str]:
    """Each checkpointed entry must still be in the chain with the hash that was signed."""
    hashes: dict[int, str] = {}
    sequences = sorted({checkpoint.sequence for checkpoint in checkpoints})
    for start in range(0, len(sequences), 1000):
        rows = in_chain(centre_of_chain(chain)).filter(sequence__in=sequences[start : start + 1000])
        hashes.update(rows.values_list("sequence", "entry_hash"))
    problems, seen = [], set()
    for checkpoint in sorted(checkpoints, key=lambda c: (c.sequence, c.at)):
        found = hashes.get(checkpoint.sequence)
        if found == checkpoint.entry_hash or (checkpoint.sequence, checkpoint.entry_hash) in seen:
            continue
        seen.add((checkpoint.sequence, checkpoint.entry_hash))
        signed = f"the checkpoint of {checkpoint.at.isoformat()} ({checkpoint.source}) signed"
        if found is None:
            problems.append(
                f"chain {chain}: entry {checkpoint.sequence} is missing, but {signed} it with hash "
                f"{checkpoint.entry_hash[:12]}…: the chain was cut short or rewritten"
            )
        else:
            problems.append(
                f"chain {chain}: entry {checkpoint.sequence} has hash {found[:12]}…, but {signed} "
                f"{checkpoint.entry_hash[:12]}…: the chain was rewritten"
            )
    return problems


def verify_against(checkpoints: Iterable[Checkpoint], keys: KeySet) -> list[str]:
    """Every way the chains disagree with signed checkpoints, in words; every checkpoint that is not trusted.

    Only checkpoints whose signature verifies with the published key of the chain's own centre count; a chain
    that is whole (`verify_chain`) and holds each checkpointed entry unchanged is as it was when signed.
    """
    problems: list[str] = []
    by_chain: dict[str, list[Checkpoint]] = defaultdict(list)
    for checkpoint in checkpoints:
        reason = _trusted(checkpoint, keys)
        if reason is None:
            by_chain[checkpoint.chain].append(checkpoint)
        else:
            problems.append(
                f"{checkpoint.source}: checkpoint of chain {checkpoint.chain} entry {checkpoint.sequence} is not "
                f"trusted: {reason}"
            )
    for chain in sorted(by_chain):
        problems.extend(_against_chain(chain, by_chain[chain]))
    return problems
