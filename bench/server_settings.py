"""The production settings with one page added for the benchmarks (`server_urls`): bench/pages.py and
bench/load.py start gunicorn with DJANGO_SETTINGS_MODULE=server_settings (bench/ on PYTHONPATH).
Nothing else differs."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "server_urls"
