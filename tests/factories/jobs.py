"""Background workers."""

import factory
from django.utils import timezone

from jobs.models import Worker


class WorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worker

    worker_id = factory.Sequence(lambda n: f"worker-{n}")
    hostname = "localhost"
    pid = factory.Sequence(lambda n: 1000 + n)
    seen_at = factory.LazyFunction(timezone.now)
