"""Migration 0003 splits the single chain into one per centre, and refuses to re-chain a broken trail."""

import importlib
from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit.models import GENESIS_HASH, AuditEntry
from audit.services import verify_chain
from tests.factories import CentreFactory

BEFORE = [("audit", "0002_append_only_trigger")]
rechain = importlib.import_module("audit.migrations.0003_chain_per_centre")


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture
def old_trail(transactional_db) -> Iterator[Callable[[list[int | None]], None]]:
    """The audit app as it was before 0003; `write(centres)` appends one entry per centre id to the single chain."""
    _migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps.get_model("audit", "AuditEntry")

    def write(centres: list[int | None]) -> None:
        previous = (
            old.objects.order_by("-sequence").values_list("entry_hash", flat=True).first() or GENESIS_HASH
        )
        start = old.objects.count() + 1
        for sequence, centre_id in enumerate(centres, start=start):
            entry = old(
                sequence=sequence,
                at=timezone.now(),
                actor_name="System",
                action="evidence.created",
                centre_id=centre_id,
                subject_type="portfolio.evidence",
                subject_id=str(sequence),
                summary=f"E{sequence}",
                previous_hash=previous,
            )
            entry.entry_hash = previous = rechain._hash(entry, sequence, previous)
            entry.save()

    try:
        yield write
    finally:
        with connection.cursor() as cursor:  # a broken trail would stop the way back; the test is over
            cursor.execute(
                "TRUNCATE audit_auditentry"
                if connection.vendor == "postgresql"
                else "DELETE FROM audit_auditentry"
            )
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("audit"))


def test_existing_entries_are_rechained_per_centre_in_the_order_they_were_written(old_trail):
    first, second = CentreFactory(), CentreFactory()
    old_trail([first.pk, None, second.pk, first.pk, None])

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("audit"))

    assert list(AuditEntry.objects.order_by("id").values_list("centre", "sequence", "summary")) == [
        (first.pk, 1, "E1"),
        (None, 1, "E2"),
        (second.pk, 1, "E3"),
        (first.pk, 2, "E4"),
        (None, 2, "E5"),
    ]
    assert verify_chain() == []


def test_a_broken_single_chain_is_not_rechained(old_trail):
    old_trail([None, None])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute("UPDATE audit_auditentry SET summary = 'nothing happened' WHERE sequence = 2")
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")

    with pytest.raises(
        RuntimeError, match=r"^The audit trail is broken at entry 2 \(run manage\.py verify_audit"
    ):
        _migrate([("audit", "0003_chain_per_centre")])

    assert AuditEntry.objects.values_list("summary", flat=True).get(sequence=2) == "nothing happened"
