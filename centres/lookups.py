"""The lookups views share, each built on the one pair `read_or_404` / `change_or_403`.

A centre answers 404 to someone who is not a member of it, and 403 to a member who may not open the page.
"""

from django.http import Http404, HttpRequest

from centres.access import change_or_403, read_or_404
from centres.models import Centre, Enrolment
from centres.permissions import can_know_centre, can_manage_centre, can_view_centre, can_view_enrolment
from centres.selectors import enrolments_queryset
from units.models import Specification


def known_centre(request: HttpRequest, pk: int) -> Centre:
    """A centre the person belongs to in any role; 404 otherwise."""
    return read_or_404(request, Centre.objects.all(), pk, can_know_centre, what="centre")


def visible_centre(request: HttpRequest, pk: int) -> Centre:
    """A centre whose pages the person may read (administrators, EQAs with a whole-centre grant)."""
    return change_or_403(request, known_centre(request, pk), can_view_centre)


def managed_centre(request: HttpRequest, pk: int) -> Centre:
    """A centre the person administers: its pages may be changed."""
    return change_or_403(request, known_centre(request, pk), can_manage_centre)


def visible_enrolment(request: HttpRequest, pk: int) -> Enrolment:
    """The enrolment, with its people and specifications, if the person may see it; otherwise 404."""
    return read_or_404(request, enrolments_queryset(), pk, can_view_enrolment, what="enrolment")


def enrolled_specification(enrolment: Enrolment, specification_pk: int) -> Specification:
    """One of the specifications the enrolment covers (prefetched by `visible_enrolment`); otherwise 404."""
    for enrolled in enrolment.enrolled_specifications.all():
        if enrolled.specification_id == specification_pk:
            return enrolled.specification
    raise Http404("This enrolment does not cover that specification")
