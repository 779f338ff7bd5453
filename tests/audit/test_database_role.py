"""The role of deploy/postgresql/app-role.sql runs the application but cannot switch the audit trail's defences off.

PostgreSQL only (CI runs it). The role is created inside the test's transaction, so it disappears with it.
"""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.checkpoints import make_checkpoint
from audit.models import AuditCheckpoint, AuditEntry
from audit.services import record
from tests.factories import CentreFactory, UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="database roles are PostgreSQL's: run with DATABASE_URL=postgres://…",
)

ROLE_SQL = Path(settings.BASE_DIR) / "deploy" / "postgresql" / "app-role.sql"


@pytest.fixture
def app_role(db) -> Iterator[str]:
    """The README's role, made by its SQL file (psql's variables filled in), and this connection acting as it."""
    name = f"portfolio_app_test_{uuid.uuid4().hex[:12]}"
    statements = (
        ROLE_SQL.read_text().replace(':"app_role"', f'"{name}"').replace(":'app_password'", "'test-only'")
    )
    with connection.cursor() as cursor:
        cursor.execute(statements)
        cursor.execute(f'SET LOCAL ROLE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def refused(sql: str) -> str:
    """The database's refusal of `sql`, in a savepoint so the test's transaction goes on."""
    with pytest.raises(DatabaseError) as refusal, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return str(refusal.value).splitlines()[0]


@pytest.fixture
def trail(db) -> None:
    record(actor=None, action="evidence.created", summary="E1", subject=("portfolio.evidence", 1))


def test_the_app_role_cannot_truncate_the_audit_trail(trail, app_role):
    assert refused("TRUNCATE audit_auditentry CASCADE") == "permission denied for table audit_auditentry"


def test_the_app_role_cannot_disable_the_append_only_trigger(trail, app_role):
    assert (
        refused("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        == "must be owner of table audit_auditentry"
    )


def test_the_app_role_cannot_switch_every_trigger_off_with_session_replication_role(app_role):
    assert (
        refused("SET session_replication_role = replica")
        == 'permission denied to set parameter "session_replication_role"'
    )


@pytest.mark.parametrize(
    "table",
    [
        "audit_auditentry",
        "audit_auditcheckpoint",
        "assessments_signoff",
        "assessments_signoffvoid",
        "quality_sampledecision",
        "quality_sampledecision_judgements",
    ],
)
def test_the_app_role_may_only_append_to_the_trail_and_signed_rows(app_role, table):
    """Refused by the grants themselves, before any trigger is asked, even when no row would match."""
    assert refused(f"UPDATE {table} SET id = id") == f"permission denied for table {table}"
    assert refused(f"DELETE FROM {table}") == f"permission denied for table {table}"


def test_the_app_role_does_the_applications_ordinary_writes(app_role, tmp_path):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (app_role,)
    centre = CentreFactory()
    person = UserFactory(full_name="Asha Assessor")
    person.full_name = "Asha Married-Name"
    person.save()
    session = Session.objects.create(session_key="k" * 32, session_data="", expire_date=timezone.now())
    session.delete()
    entry = record(actor=person, action="evidence.created", summary="E1", subject=person, centre=centre)
    made = make_checkpoint(centre_id=centre.pk, out=tmp_path)

    assert AuditEntry.objects.get(pk=entry.pk).actor_name == "Asha Married-Name"
    assert made is not None
    assert AuditCheckpoint.objects.get().sequence == entry.sequence == 1
