"""WSGI entry point: `gunicorn config.wsgi` (bin/serve runs it with config/gunicorn.py)."""

import os

from django.core.wsgi import get_wsgi_application

from config.env import exit_on_bad_settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
exit_on_bad_settings("config.wsgi")
application = get_wsgi_application()
