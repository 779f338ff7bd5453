from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    """Reviews and judgements, observations, what counts as met and progress, sign-off and signatures."""

    name = "assessments"

    def ready(self) -> None:
        from assessments.receivers import refresh_progress_of, refuse_mapping_to_signed_off
        from portfolio.signals import evidence_changed, mapping_proposed

        mapping_proposed.connect(refuse_mapping_to_signed_off, dispatch_uid="assessments.refuse_signed_off")
        evidence_changed.connect(refresh_progress_of, dispatch_uid="assessments.refresh_progress")
