"""Background work: making an export, run by `manage.py db_worker` (at once: TASKS_BACKEND=immediate).

Only the export's id travels through the queue; the row says what to export and records the outcome.
"""

from django.tasks import task

from records.services import run_export


@task
def make_export(export_id: int) -> str:
    """Make one export's ZIP. A failure is recorded on the export, with its reason, and raised for the log."""
    export = run_export(export_id)
    return "not queued" if export is None else export.status
