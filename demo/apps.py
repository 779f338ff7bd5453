from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo centre for a first run: seed specifications, demo accounts and a learner's portfolio."""

    name = "demo"
