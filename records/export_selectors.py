"""Reads for the export pages, each in a fixed number of queries."""

from django.db.models import QuerySet

from centres.models import Centre, Enrolment
from records.models import Export


def enrolment_groups(centre: Centre) -> list[str]:
    """The centre's enrolment groups in use, for the choice of a cohort to export."""
    return list(
        Enrolment.objects.filter(centre=centre)
        .exclude(group="")
        .order_by("group")
        .values_list("group", flat=True)
        .distinct()
    )


def exports() -> QuerySet[Export]:
    return Export.objects.select_related("centre", "enrolment__learner", "assessor", "requested_by")


def centre_exports(centre: Centre) -> QuerySet[Export]:
    """Every cohort export of the centre, newest first."""
    return exports().filter(centre=centre).exclude(scope=Export.Scope.LEARNER)


def portfolio_exports(enrolment: Enrolment) -> QuerySet[Export]:
    return exports().filter(enrolment=enrolment)


def export_detail(pk: int) -> Export:
    return exports().get(pk=pk)
