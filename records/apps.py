from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """What a portfolio ends in: the completion record PDF an awarding body accepts, and portable exports."""

    name = "records"

    def ready(self) -> None:
        from jobs.signals import tasks_abandoned
        from records.services import fail_abandoned_exports

        tasks_abandoned.connect(fail_abandoned_exports, dispatch_uid="records.fail_abandoned_exports")
