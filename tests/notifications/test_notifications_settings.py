"""TASKS_BACKEND chooses where background tasks run; a wrong value stops start-up with a message."""

import os
import subprocess
import sys

from django.conf import settings

from notifications import services
from notifications.models import Notification
from tests.factories import UserFactory


def settings_in_a_fresh_process(tasks_backend: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TASKS_BACKEND"}
    if tasks_backend is not None:
        env["TASKS_BACKEND"] = tasks_backend
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings; print(settings.TASKS)",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_tasks_wait_in_the_database_for_the_worker_by_default():
    result = settings_in_a_fresh_process(None)
    assert result.stdout.strip() == "{'default': {'BACKEND': 'django_tasks_db.DatabaseBackend'}}"


def test_tasks_backend_immediate_runs_tasks_at_once():
    result = settings_in_a_fresh_process("immediate")
    assert result.stdout.strip() == (
        "{'default': {'BACKEND': 'django.tasks.backends.immediate.ImmediateBackend'}}"
    )


def test_an_unknown_tasks_backend_names_the_variable():
    result = settings_in_a_fresh_process("celery")
    assert result.returncode == 1
    assert "TASKS_BACKEND must be database or immediate, not 'celery'" in result.stderr


class BrokenQueue:
    def enqueue(self, *args, **kwargs):
        raise ConnectionError("the queue is unreachable")


def test_a_notification_that_cannot_be_queued_says_so(db, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "send_notification_email", BrokenQueue())
    with django_capture_on_commit_callbacks(execute=True):
        notification = services.notify(recipient=UserFactory(), subject="Feedback on E1", message="")
    notification.refresh_from_db()
    assert notification.email_error == "Not queued: ConnectionError: the queue is unreachable"
    assert Notification.objects.count() == 1
