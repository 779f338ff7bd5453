"""Running work at the same moment on several database connections (PostgreSQL tests of locks)."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def in_parallel(count: int, work: Callable[[], Any]) -> list[BaseException]:
    """Run `work` in `count` threads released at the same moment, each on its own connection; return failures."""
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            work()
        except BaseException as error:  # every failure is reported to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors
