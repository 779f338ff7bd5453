from django.apps import AppConfig


class QualityConfig(AppConfig):
    """Internal quality assurance: sampling strategy, plans, samples and decisions, actions, IV sign-offs."""

    name = "quality"
    verbose_name = "Internal quality assurance"
