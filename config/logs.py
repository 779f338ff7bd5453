"""Logging filters for the console (settings.LOGGING)."""

import logging


class NoRefusalTracebacks(logging.Filter):
    """A refusal (403, 404) is the app working: log its line, not the traceback of the exception behind it."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
