"""On PostgreSQL the database itself refuses UPDATE and DELETE of audit entries, whoever sends them.

A row trigger raises before any UPDATE or DELETE of `audit_auditentry` (the ORM, the admin, raw SQL alike).
TRUNCATE is left to the table's owner: Django's `flush` (and so every test that uses `transactional_db` or
`live_server`) empties tables with TRUNCATE, and an owner who wants to bypass the trigger can disable it or drop
the table anyway. Against the owner, the defence is to run the application as a role that does not own the
table and to compare the chain's head (`manage.py verify_audit`) with a copy kept elsewhere.

SQLite gets no trigger (its `flush` deletes rows); there the model and its queryset refuse changes.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only: % of entry % refused', TG_OP, OLD.sequence
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Record a new audit entry instead of changing or deleting one.';
END;
$$;
CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_refuse_change();
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_entry")]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), reverse_code=_on_postgresql(DROP), elidable=False),
    ]
