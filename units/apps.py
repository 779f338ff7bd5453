from django.apps import AppConfig


class UnitsConfig(AppConfig):
    """The catalogue of specifications (RQF units and NOS) that evidence is mapped to."""

    name = "units"
    verbose_name = "Specifications"
