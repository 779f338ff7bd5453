from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    """Judgements, sign-off and internal quality assurance (arrives with the assessment issue)."""

    name = "assessments"
