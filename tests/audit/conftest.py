from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from audit.models import AuditEntry

TABLE = AuditEntry._meta.db_table
TRIGGER = "audit_entry_append_only"


@contextmanager
def _append_only_trigger_disabled() -> Iterator[None]:
    """As the table's owner could: on PostgreSQL switch the trigger off (inside the test's transaction)."""
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            # ALTER TABLE waits for no deferred foreign-key checks: run those of this transaction now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
        try:
            yield
        finally:
            if postgresql:
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def tamper() -> Callable[[str, list], None]:
    """Run raw SQL against the audit table behind the application's back, on SQLite and PostgreSQL alike."""

    def run(sql: str, params: list) -> None:
        with _append_only_trigger_disabled(), connection.cursor() as cursor:
            cursor.execute(sql.format(table=TABLE), params)

    return run
