"""On PostgreSQL the database itself refuses UPDATE and DELETE of signatures, their voids, and the judgements a
signature in force covers, whoever sends them (the ORM, the admin, raw SQL alike), as it does for the audit trail
(audit migration 0002). Voiding or reopening is a new row that points at the old one.

TRUNCATE is left to the tables' owner (Django's `flush` in tests); against the owner the defence is the key
signatures themselves, checked by `manage.py verify_signatures`, and a database role that is not the owner.
SQLite gets no trigger: there the models and their querysets refuse (signing.append_only, JudgementQuerySet).
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION signed_row_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'signed rows are append-only: % of % % refused', TG_OP, TG_TABLE_NAME, OLD.id
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Add a new row that points at it (a void, a reopening) instead.';
END;
$$;
CREATE TRIGGER signoff_append_only
    BEFORE UPDATE OR DELETE ON assessments_signoff
    FOR EACH ROW EXECUTE FUNCTION signed_row_refuse_change();
CREATE TRIGGER signoffvoid_append_only
    BEFORE UPDATE OR DELETE ON assessments_signoffvoid
    FOR EACH ROW EXECUTE FUNCTION signed_row_refuse_change();

CREATE FUNCTION judgement_refuse_frozen_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1
        FROM assessments_signoff s
        JOIN portfolio_evidence e ON e.enrolment_id = s.enrolment_id
        JOIN portfolio_evidencemapping m ON m.id = OLD.mapping_id
        JOIN units_criterion c ON c.id = m.criterion_id
        WHERE e.id = OLD.evidence_id
          AND s.specification_id = c.specification_id
          AND NOT EXISTS (SELECT 1 FROM assessments_signoffvoid v WHERE v.signature_id = s.id)
    ) THEN
        RAISE EXCEPTION 'judgement % is covered by a signature in force: % refused', OLD.id, TG_OP
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Reopen the unit (a void row) and judge again in a new round.';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER judgement_frozen
    BEFORE UPDATE OR DELETE ON assessments_judgement
    FOR EACH ROW EXECUTE FUNCTION judgement_refuse_frozen_change();
"""

DROP = """
DROP TRIGGER IF EXISTS judgement_frozen ON assessments_judgement;
DROP FUNCTION IF EXISTS judgement_refuse_frozen_change();
DROP TRIGGER IF EXISTS signoffvoid_append_only ON assessments_signoffvoid;
DROP TRIGGER IF EXISTS signoff_append_only ON assessments_signoff;
DROP FUNCTION IF EXISTS signed_row_refuse_change();
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_signatures_signed_by_centre_keys")]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), reverse_code=_on_postgresql(DROP), elidable=False),
    ]
