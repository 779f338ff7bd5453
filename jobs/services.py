"""Heartbeats of the background workers, and what happens to the jobs of one that stopped without saying so.

A worker killed mid-job (out of memory, a deploy, a crash) leaves its job "running" in the queue for ever. Every
live worker's heartbeat, the health endpoint and the pages that wait for a job call `reap_stopped_workers`: a
worker not seen for WORKER_STALE_SECONDS is marked stopped, each job it was running is marked failed with the
reason, and `tasks_abandoned` tells the floors above (an export then says why it failed).
"""

import datetime
import os
import socket

from django.conf import settings
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs.models import Worker
from jobs.signals import tasks_abandoned

WORKER_LOST = "jobs.WorkerLost"


def stale_before(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(seconds=settings.WORKER_STALE_SECONDS)


def worker_started(*, worker_id: str) -> Worker:
    """Record a worker as it starts (a restarted worker with the same id starts afresh)."""
    worker, _ = Worker.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "seen_at": timezone.now(),
            "stopped_at": None,
            "stop_reason": "",
        },
    )
    return worker


def heartbeat(*, worker_id: str) -> None:
    """The worker is alive: one UPDATE."""
    Worker.objects.filter(worker_id=worker_id, stopped_at=None).update(seen_at=timezone.now())


def worker_stopped(*, worker_id: str) -> None:
    """A worker that stops cleanly says so; its jobs finished first (django-tasks-db's graceful shutdown)."""
    Worker.objects.filter(worker_id=worker_id, stopped_at=None).update(
        stopped_at=timezone.now(), stop_reason="stopped"
    )


def reap_stopped_workers(*, now: datetime.datetime | None = None) -> list[str]:
    """Mark workers not seen for WORKER_STALE_SECONDS as stopped and fail the jobs they were running.

    Returns the ids of the jobs marked failed. Safe to call from several processes at once: the rows are
    locked, and a row another process has reaped is skipped.
    """
    now = now or timezone.now()
    with transaction.atomic():
        lost = {
            worker.worker_id: worker
            for worker in Worker.objects.select_for_update(skip_locked=True).filter(
                stopped_at=None, seen_at__lt=stale_before(now)
            )
        }
        if not lost:
            return []
        Worker.objects.filter(pk__in=[worker.pk for worker in lost.values()]).update(
            stopped_at=now, stop_reason="not seen: stopped without saying so"
        )
        abandoned = []
        for result in DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING):
            worker = lost.get(result.worker_ids[-1]) if result.worker_ids else None
            if worker is None:
                continue
            reason = _reason(worker)
            result.status, result.finished_at = TaskResultStatus.FAILED, now
            result.exception_class_path, result.traceback = WORKER_LOST, reason
            result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
            abandoned.append(str(result.id))
        if abandoned:
            tasks_abandoned.send(sender=Worker, task_ids=abandoned, reason=_reason(*lost.values()))
    return abandoned


def _reason(*workers: Worker) -> str:
    last = max(worker.seen_at for worker in workers)
    when = timezone.localtime(last).strftime("%d %b %Y %H:%M:%S")
    return (
        f"The background worker stopped while doing this (it was last seen at {when}), so it was not finished. "
        "Ask for it again."
    )


def worker_seen_recently(*, now: datetime.datetime | None = None) -> bool:
    """Whether a worker that has not stopped was seen within WORKER_STALE_SECONDS (the health endpoint asks)."""
    return Worker.objects.filter(stopped_at=None, seen_at__gte=stale_before(now)).exists()
