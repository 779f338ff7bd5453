"""`/health/`: whether this server can do its work, for the proxy, a load balancer or a monitor.

It checks the database (one query), the file storage (a small file written, read and removed) and, when tasks
go through the database queue, that a background worker has been seen within WORKER_STALE_SECONDS. 200 when all
hold, 503 naming the one that does not. It shows no personal data and needs no sign-in.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from jobs.services import reap_stopped_workers, worker_seen_recently

PROBE = "health/probe.txt"


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _storage() -> str:
    name = default_storage.save(PROBE, ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as probe:
            if probe.read() != b"ok":
                return "the file written could not be read back"
    finally:
        default_storage.delete(name)
    return "ok"


def _worker() -> str:
    if settings.TASKS_BACKEND != "database":
        return "ok"
    reap_stopped_workers()
    if worker_seen_recently():
        return "ok"
    return (
        f"no background worker seen in the last {settings.WORKER_STALE_SECONDS} s: start manage.py db_worker"
    )


CHECKS: dict[str, Callable[[], str]] = {"database": _database, "storage": _storage, "worker": _worker}


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:
            results[name] = f"failed: {type(error).__name__}"
    healthy = all(result == "ok" for result in results.values())
    return JsonResponse({"healthy": healthy, "checks": results}, status=200 if healthy else 503)
