from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from audit.models import AuditEntry

TABLE = AuditEntry._meta.db_table
TRIGGERS = {TABLE: "audit_entry_append_only", "audit_auditcheckpoint": "audit_checkpoint_append_only"}


@contextmanager
def _append_only_trigger_disabled() -> Iterator[None]:
    """As the tables' owner could: on PostgreSQL switch the triggers off (inside the test's transaction)."""
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            # ALTER TABLE waits for no deferred foreign-key checks: run those of this transaction now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, trigger in TRIGGERS.items():
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        try:
            yield
        finally:
            if postgresql:
                for table, trigger in TRIGGERS.items():
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def tamper() -> Callable[[str, list], None]:
    """Run raw SQL against the audit tables behind the application's back, on SQLite and PostgreSQL alike."""

    def run(sql: str, params: list) -> None:
        with _append_only_trigger_disabled(), connection.cursor() as cursor:
            cursor.execute(sql.format(table=TABLE), params)

    return run
