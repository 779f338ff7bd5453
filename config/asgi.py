"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from config.env import exit_on_bad_settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
exit_on_bad_settings("config.asgi")
application = get_asgi_application()
