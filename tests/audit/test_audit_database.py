"""PostgreSQL itself refuses to change or delete audit entries, and parallel writers never fork the chain.

CI runs the suite on PostgreSQL; on SQLite these tests are skipped (there the application's own refusals,
tested in test_audit_chain.py, are all there is).
"""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, OperationalError, connection, models, transaction

from audit.models import AuditEntry
from audit.services import entry_hash, record, verify_chain
from centres.models import Centre
from portfolio.models import Evidence
from tests.concurrency import in_parallel
from tests.factories import CentreFactory, EnrolmentFactory, UserFactory, create_evidence_for

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger and row locks are PostgreSQL's: run with DATABASE_URL=postgres://…",
)

TABLE = AuditEntry._meta.db_table


@pytest.fixture
def entries(db) -> list[AuditEntry]:
    actor = UserFactory()
    return [
        record(
            actor=actor, action="evidence.created", summary=f"E{n} created", subject=("portfolio.evidence", n)
        )
        for n in (1, 2)
    ]


def raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:  # a savepoint: the test's transaction survives
        cursor.execute(sql.format(table=TABLE), params)


def test_the_database_refuses_an_update_sent_as_raw_sql(entries):
    with pytest.raises(DatabaseError, match=r"audit entries are append-only: UPDATE of entry 1 refused"):
        raw("UPDATE {table} SET summary = %s WHERE sequence = %s", ["nothing happened", 1])

    assert AuditEntry.objects.get(sequence=1).summary == "E1 created"


def test_the_database_refuses_a_delete_sent_as_raw_sql(entries):
    with pytest.raises(DatabaseError, match=r"audit entries are append-only: DELETE of entry 2 refused"):
        raw("DELETE FROM {table} WHERE sequence = %s", [2])

    assert AuditEntry.objects.count() == 2


def test_the_database_refuses_an_orm_update_that_bypasses_the_models_guard(entries):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        models.QuerySet.update(AuditEntry.objects.filter(sequence=1), summary="rewritten")

    assert verify_chain() == []


def test_the_trigger_is_installed_for_update_and_delete_only(entries):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_manipulation FROM information_schema.triggers "
            "WHERE event_object_table = %s AND trigger_name = 'audit_entry_append_only' ORDER BY 1",
            [TABLE],
        )
        assert [row[0] for row in cursor.fetchall()] == ["DELETE", "UPDATE"]


def test_the_owner_may_still_empty_every_table_as_djangos_flush_does(transactional_db):
    """TRUNCATE is the owner's (tests flush with it); an emptied trail verifies as 0 entries, so keep its head."""
    with transaction.atomic():
        record(actor=None, action="evidence.created", summary="E1", subject=("portfolio.evidence", 1))

    call_command("flush", interactive=False, verbosity=0)

    assert AuditEntry.objects.count() == 0


# Parallel writers


def test_twenty_parallel_writers_make_one_consecutive_unforked_chain(transactional_db):
    actor = UserFactory()

    def write() -> None:
        with transaction.atomic():
            record(
                actor=actor, action="evidence.updated", summary="change", subject=("portfolio.evidence", 1)
            )

    errors = in_parallel(20, write)

    assert errors == []
    assert list(AuditEntry.objects.values_list("sequence", flat=True)) == list(range(1, 21))
    assert AuditEntry.objects.values("previous_hash").distinct().count() == 20
    assert verify_chain() == []


def test_parallel_evidence_of_learners_in_two_centres_is_audited_in_each_centres_chain(transactional_db):
    first, second = EnrolmentFactory(), EnrolmentFactory()

    errors = in_parallel(4, lambda: [create_evidence_for(first), create_evidence_for(second)])

    assert errors == []
    assert Evidence.objects.count() == 8
    for enrolment in (first, second):
        entries = AuditEntry.objects.filter(centre=enrolment.centre).order_by("sequence")
        assert list(entries.values_list("sequence", flat=True)) == [1, 2, 3, 4]
        assert entries.filter(learner=enrolment.learner, action="evidence.created").count() == 4
    assert verify_chain() == []


def _hold_chain_of(centre: Centre, held: threading.Event, release: threading.Event) -> None:
    """Write an entry to the centre's chain and keep the transaction open until told (another connection)."""
    try:
        with transaction.atomic():
            record(actor=None, action="evidence.created", summary="held", subject=centre, centre=centre)
            held.set()
            release.wait(timeout=30)
    finally:
        connection.close()


def _record_without_waiting(centre: Centre | None) -> None:
    """Record in a savepoint that gives up at once on any lock another transaction holds."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '100ms'")
        record(
            actor=None,
            action="evidence.created",
            summary="E1",
            subject=("portfolio.evidence", 1),
            centre=centre,
        )


def test_a_centres_chain_is_written_while_another_centres_writer_holds_its_own(transactional_db):
    busy, free = CentreFactory(), CentreFactory()
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_chain_of, args=(busy, held, release))
    holder.start()
    try:
        assert held.wait(timeout=30)
        _record_without_waiting(free)  # another centre's chain: no wait
        _record_without_waiting(None)  # the site's chain: no wait
        with pytest.raises(OperationalError, match="lock timeout"):
            _record_without_waiting(busy)  # the same centre's chain waits for the holder's transaction
    finally:
        release.set()
        holder.join(timeout=30)

    assert set(AuditEntry.objects.values_list("centre", "sequence")) == {
        (busy.pk, 1),
        (free.pk, 1),
        (None, 1),
    }


# Checkpoints against an insider who can bypass the triggers


def test_checkpoints_are_append_only_at_the_database(db, tmp_path):
    record(actor=None, action="evidence.created", summary="E1", subject=("portfolio.evidence", 1))
    call_command("checkpoint_audit", out=tmp_path)

    with pytest.raises(
        DatabaseError, match=r"audit checkpoints are append-only: UPDATE of checkpoint \d+ refused"
    ):
        raw("UPDATE audit_auditcheckpoint SET sequence = %s", [9])
    with pytest.raises(
        DatabaseError, match=r"audit checkpoints are append-only: DELETE of checkpoint \d+ refused"
    ):
        raw("DELETE FROM audit_auditcheckpoint", [])


def test_a_chain_rehashed_as_replica_with_the_checkpoints_deleted_fails_against_kept_checkpoints(
    db, tmp_path, capsys
):
    """The attack of issue 13: with triggers off (session_replication_role = replica, a superuser's or the owner's
    power), edit an entry, re-hash the chain after it with the app's own `entry_hash`, delete the database's
    checkpoints. The database alone then looks intact; the checkpoint files kept elsewhere do not agree."""
    centre = CentreFactory()
    for n in range(1, 5):
        record(
            actor=None,
            action="evidence.created",
            summary=f"E{n}",
            subject=("portfolio.evidence", n),
            centre=centre,
        )
    call_command("checkpoint_audit", out=tmp_path)
    signed = AuditEntry.objects.get(centre=centre, sequence=4).entry_hash

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"UPDATE {TABLE} SET summary = %s WHERE centre_id = %s AND sequence = %s",
            ["nothing", centre.pk, 2],
        )
        previous = AuditEntry.objects.get(centre=centre, sequence=1).entry_hash
        for entry in AuditEntry.objects.filter(centre=centre, sequence__gte=2).order_by("sequence"):
            entry.previous_hash = previous
            forged = entry_hash(entry)
            cursor.execute(
                f"UPDATE {TABLE} SET previous_hash = %s, entry_hash = %s WHERE id = %s",
                [previous, forged, entry.pk],
            )
            previous = forged
        cursor.execute("DELETE FROM audit_auditcheckpoint")
    call_command("verify_audit")  # intact, as far as the database alone can tell
    capsys.readouterr()

    with pytest.raises(CommandError, match=r"^audit trail broken: 1 problem\(s\)$"):
        call_command("verify_audit", checkpoints=tmp_path)

    [problem] = capsys.readouterr().err.splitlines()
    assert problem.startswith(
        f"chain centre-{centre.pk}: entry 4 has hash {previous[:12]}…, but the checkpoint of "
    )
    assert problem.endswith(f" signed {signed[:12]}…: the chain was rewritten")
