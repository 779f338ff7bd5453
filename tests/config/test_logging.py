"""The console log: each line once (Django's own loggers have no handler of their own beside the root's), and a
refusal (403, 404) as one line without a traceback."""

import logging
import sys

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.log import configure_logging

from config.logs import NoRefusalTracebacks


@pytest.fixture
def runserver_logging():
    """The project's logging as `runserver` sets it up, with DEBUG on (Django's own console handler is live)."""
    old_debug = settings.DEBUG
    settings.DEBUG = True
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    yield
    settings.DEBUG = old_debug
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


def consoles_reached(name: str) -> list[logging.Handler]:
    """The stream handlers a record logged on `name` passes through, up the logger tree."""
    found, logger = [], logging.getLogger(name)
    while logger is not None:
        found += [h for h in logger.handlers if type(h) is logging.StreamHandler]
        logger = logger.parent if logger.propagate else None
    return found


@pytest.mark.parametrize("name", ["django.request", "django", "django.db.backends", "records.services"])
def test_a_log_line_reaches_one_console(runserver_logging, name):
    assert len(consoles_reached(name)) == 1


def record(status: int) -> logging.LogRecord:
    try:
        raise PermissionDenied("The caseload is for assessors.")
    except PermissionDenied:
        made = logging.LogRecord(
            "django.request", logging.WARNING, __file__, 1, "Forbidden", (), sys.exc_info()
        )
    made.status_code = status
    return made


@pytest.mark.parametrize("status", [403, 404])
def test_a_refusal_is_logged_without_its_traceback(status):
    refusal = record(status)
    assert NoRefusalTracebacks().filter(refusal) is True
    assert refusal.exc_info is None


def test_a_server_error_keeps_its_traceback():
    error = record(500)
    NoRefusalTracebacks().filter(error)
    assert error.exc_info is not None


def test_the_console_drops_refusal_tracebacks(runserver_logging):
    (console,) = consoles_reached("django.request")
    assert any(isinstance(f, NoRefusalTracebacks) for f in console.filters)
