"""An insider with the database's owner role: raw SQL, with PostgreSQL's triggers switched off for the
transaction (`SET LOCAL session_replication_role = replica`, which the owner of a superuser connection may do).
What the verification commands must still catch."""

from typing import Any

from django.db import connection, transaction


def behind_the_triggers(sql: str, params: list[Any] | None = None) -> int:
    """Run `sql` as an attacker would, past the triggers on PostgreSQL (SQLite has none); the rows it touched."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params or [])
        return cursor.rowcount
