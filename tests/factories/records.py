"""Exports, as requested (queued) rows."""

import factory

from records.models import Export
from tests.factories.centres import EnrolmentFactory


class ExportFactory(factory.django.DjangoModelFactory):
    """One learner's export, queued, requested by the learner."""

    class Meta:
        model = Export

    enrolment = factory.SubFactory(EnrolmentFactory)
    centre = factory.SelfAttribute("enrolment.centre")
    scope = Export.Scope.LEARNER
    requested_by = factory.SelfAttribute("enrolment.learner")
    total = 1
