from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """What a portfolio ends in: the completion record PDF an awarding body accepts, and portable exports."""

    name = "records"
