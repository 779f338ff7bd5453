"""The background workers (`manage.py db_worker`) and when each was last seen."""

from django.db import models


class Worker(models.Model):
    """One `db_worker` process: it writes `seen_at` every WORKER_HEARTBEAT_SECONDS while it runs, and `stopped_at`
    when it stops cleanly; a worker not seen for WORKER_STALE_SECONDS has stopped without saying so."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-seen_at"]
        indexes = [models.Index(fields=["stopped_at", "seen_at"], name="worker_running_seen")]

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.hostname} (pid {self.pid})"
