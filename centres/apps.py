from django.apps import AppConfig


class CentresConfig(AppConfig):
    """Centres, their people and roles, enrolments, EQA grants, and who a person is for a request (`access`)."""

    name = "centres"
