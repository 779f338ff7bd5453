"""The background worker's heartbeat: a worker not seen for WORKER_STALE_SECONDS has stopped, the jobs it was
running fail with the reason, an export among them says so, and a stale export never stands in for a new one."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from centres.models import Membership
from jobs import services
from jobs.models import Worker
from notifications.models import Notification
from records.models import Export
from records.services import start_cohort_export
from tests.factories import EnrolmentFactory, member
from tests.factories.jobs import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WORKER_STALE_SECONDS = 60


def ago(seconds: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


@pytest.fixture
def stuck(queue, unit, django_capture_on_commit_callbacks):
    """A cohort export that a worker started, and the worker, last seen 61 s ago."""
    enrolment = EnrolmentFactory(specifications=[unit])
    admin = member(enrolment.centre, Membership.Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        export = start_cohort_export(user=admin, centre=enrolment.centre, scope="centre")
    export.refresh_from_db()
    worker = WorkerFactory(worker_id="lost", seen_at=ago(61))
    DBTaskResult.objects.filter(id=export.task_id).update(status="RUNNING", worker_ids=["lost"])
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING, started_at=ago(70))
    return export, worker, admin


def test_a_worker_not_seen_for_the_stale_time_is_marked_stopped_and_its_job_failed(stuck):
    export, worker, _ = stuck

    assert services.reap_stopped_workers() == [export.task_id]

    worker.refresh_from_db()
    assert worker.stop_reason == "not seen: stopped without saying so"
    result = DBTaskResult.objects.get(id=export.task_id)
    assert (result.status, result.exception_class_path) == ("FAILED", services.WORKER_LOST)


def test_the_export_of_a_stopped_worker_fails_with_the_reason_and_its_requester_is_told(stuck):
    export, _, admin = stuck

    services.reap_stopped_workers()

    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert export.error.startswith("The background worker stopped while doing this (it was last seen at ")
    assert export.error.endswith("), so it was not finished. Ask for it again.")
    assert Notification.objects.filter(recipient=admin, subject="Your export failed").count() == 1


def test_a_worker_seen_within_the_stale_time_keeps_its_job(stuck):
    export, worker, _ = stuck
    Worker.objects.filter(pk=worker.pk).update(seen_at=ago(59))

    assert services.reap_stopped_workers() == []
    assert Export.objects.get(pk=export.pk).status == Export.Status.RUNNING


def test_asking_again_fails_the_stale_export_and_makes_a_new_one(stuck, django_capture_on_commit_callbacks):
    export, _, admin = stuck

    with django_capture_on_commit_callbacks(execute=True):
        again = start_cohort_export(user=admin, centre=export.centre, scope="centre")

    assert again.pk != export.pk
    assert Export.objects.get(pk=export.pk).status == Export.Status.FAILED


def test_the_export_page_of_a_stale_export_says_it_failed(stuck, client):
    export, _, admin = stuck
    client.force_login(admin)

    page = client.get(reverse("records:export", args=[export.pk])).content.decode()

    assert "The export failed: The background worker stopped while doing this" in page


def test_a_heartbeat_moves_the_last_seen_time_of_a_running_worker_only():
    running, stopped = WorkerFactory(seen_at=ago(30)), WorkerFactory(seen_at=ago(30), stopped_at=ago(20))

    services.heartbeat(worker_id=running.worker_id)
    services.heartbeat(worker_id=stopped.worker_id)

    running.refresh_from_db()
    stopped.refresh_from_db()
    assert (running.seen_at > ago(5), stopped.seen_at < ago(25)) == (True, True)


def test_a_worker_that_stops_cleanly_says_so(settings):
    worker = services.worker_started(worker_id="w1")
    assert services.worker_seen_recently() is True

    services.worker_stopped(worker_id="w1")

    worker.refresh_from_db()
    assert (worker.stop_reason, services.worker_seen_recently()) == ("stopped", False)
