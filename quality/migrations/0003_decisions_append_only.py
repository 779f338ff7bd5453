"""On PostgreSQL the database refuses UPDATE and DELETE of IV sample decisions and of what each records as looked
at (its judgements), with the function assessments migration 0004 made for signatures."""

from django.db import migrations

CREATE = """
CREATE TRIGGER sampledecision_append_only
    BEFORE UPDATE OR DELETE ON quality_sampledecision
    FOR EACH ROW EXECUTE FUNCTION signed_row_refuse_change();
CREATE TRIGGER sampledecision_judgements_append_only
    BEFORE UPDATE OR DELETE ON quality_sampledecision_judgements
    FOR EACH ROW EXECUTE FUNCTION signed_row_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS sampledecision_judgements_append_only ON quality_sampledecision_judgements;
DROP TRIGGER IF EXISTS sampledecision_append_only ON quality_sampledecision;
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0002_decisions_signed_by_centre_keys"),
        ("assessments", "0004_signed_rows_append_only"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), reverse_code=_on_postgresql(DROP), elidable=False),
    ]
