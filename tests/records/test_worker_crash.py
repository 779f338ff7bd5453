"""A worker killed mid-export: a real `manage.py db_worker` process is killed (SIGKILL) while it makes a cohort
export. Within WORKER_STALE_SECONDS of its last heartbeat the export is failed with the reason, its requester
is told, and asking again makes a new export instead of returning the stuck one. PostgreSQL only (the worker
shares the test database); marked `production` with the other multi-process tests."""

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from centres.models import Membership
from jobs.models import Worker
from jobs.services import WORKER_LOST
from notifications.models import Notification
from records.models import Export
from records.services import start_cohort_export
from tests.factories import EnrolmentFactory, create_specification, member

POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
pytestmark = [
    pytest.mark.production,
    pytest.mark.skipif(
        not POSTGRES, reason="the worker shares the test database: PostgreSQL (DATABASE_URL) only"
    ),
    pytest.mark.django_db(transaction=True),
]
LEARNERS = 12


def until(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.05)
    return found


@pytest.fixture
def queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WORKER_HEARTBEAT_SECONDS, settings.WORKER_STALE_SECONDS = 1, 3


@pytest.fixture
def worker(queue, media):
    """A real worker process on the test database, beating every second."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=urlsplit(os.environ["DATABASE_URL"])
        ._replace(path=f"/{settings.DATABASES['default']['NAME']}")
        .geturl(),
        MEDIA_ROOT=str(media.MEDIA_ROOT),
        TASKS_BACKEND="database",
        WORKER_HEARTBEAT_SECONDS="1",
        WORKER_STALE_SECONDS="3",
        ENV_FILE="",
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"],
        cwd=settings.BASE_DIR,
        env=env,
    )
    yield process
    if process.poll() is None:
        process.kill()
    process.wait()


@pytest.fixture
def cohort():
    specification = create_specification(code="T/900/0001")
    first = EnrolmentFactory(specifications=[specification])
    for _ in range(LEARNERS - 1):
        EnrolmentFactory(centre=first.centre, specifications=[specification])
    return first.centre, member(first.centre, Membership.Role.ADMIN, full_name="Dana Price")


def test_an_export_whose_worker_was_killed_fails_with_the_reason_and_never_blocks_a_new_one(
    worker, cohort, client
):
    centre, admin = cohort
    export = start_cohort_export(user=admin, centre=centre, scope="centre")
    until(lambda: Export.objects.filter(pk=export.pk, status=Export.Status.RUNNING).exists(), seconds=60,
          what="the worker starting the export")  # fmt: skip
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    killed_at = timezone.now()
    assert Export.objects.get(pk=export.pk).status == Export.Status.RUNNING  # stuck, as before the fix

    client.force_login(admin)
    page = until(
        lambda: (
            "The export failed"
            in (text := client.get(reverse("records:export", args=[export.pk])).content.decode())
            and text
        ),
        seconds=10,
        what="the export page saying it failed",
    )

    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert "The background worker stopped while doing this" in export.error
    assert "The background worker stopped while doing this" in page
    assert (export.finished_at - killed_at).total_seconds() < 10
    assert DBTaskResult.objects.get(id=export.task_id).exception_class_path == WORKER_LOST
    assert Worker.objects.get().stop_reason == "not seen: stopped without saying so"
    assert Notification.objects.filter(recipient=admin, subject="Your export failed").count() == 1
    again = start_cohort_export(user=admin, centre=centre, scope="centre")
    assert (again.pk != export.pk, again.status) == (True, Export.Status.QUEUED)
