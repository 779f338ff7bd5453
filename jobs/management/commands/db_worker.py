"""django-tasks-db's `db_worker`, with a heartbeat: while it runs, a thread records every
WORKER_HEARTBEAT_SECONDS that this worker is alive and fails the jobs of workers that stopped without saying so
(`jobs.services.reap_stopped_workers`). Options and behaviour are otherwise the library's."""

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django_tasks_db.management.commands import db_worker

from jobs import services

logger = logging.getLogger(__name__)


class Heartbeat(threading.Thread):
    """Beats until told to stop; a failed beat (the database away for a moment) is logged and tried again."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(settings.WORKER_HEARTBEAT_SECONDS):
                try:
                    close_old_connections()
                    services.heartbeat(worker_id=self.worker_id)
                    services.reap_stopped_workers()
                except Exception:
                    logger.exception("Heartbeat of worker %s failed; trying again", self.worker_id)
        finally:
            connection.close()


class Command(db_worker.Command):
    help = "Run the background worker (django-tasks-db's db_worker, with a heartbeat for the health endpoint)"

    def handle(self, *args: Any, worker_id: str, **options: Any) -> None:
        services.worker_started(worker_id=worker_id)
        services.reap_stopped_workers()
        beat = Heartbeat(worker_id)
        beat.start()
        try:
            super().handle(*args, worker_id=worker_id, **options)
        finally:
            beat.stopping.set()
            beat.join(timeout=5)
            services.worker_stopped(worker_id=worker_id)
