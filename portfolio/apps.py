from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    """The learner's portfolio: evidence, its numbering, files and uploads, mappings and declaration."""

    name = "portfolio"

    def ready(self) -> None:
        from centres.signals import specifications_leaving
        from portfolio.receivers import keep_specifications_with_evidence

        specifications_leaving.connect(
            keep_specifications_with_evidence, dispatch_uid="portfolio.keep_mapped"
        )
