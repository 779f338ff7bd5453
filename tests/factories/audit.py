"""Audit entries: only ever written through `audit.services.record`, which chains them."""

import factory
from django.db import transaction

from audit.checkpoints import make_checkpoint
from audit.models import AuditCheckpoint, AuditEntry
from audit.services import record
from tests.factories.accounts import UserFactory


class AuditEntryFactory(factory.django.DjangoModelFactory):
    """An entry about the actor themself, appended to the chain as `record` appends any entry."""

    class Meta:
        model = AuditEntry

    actor = factory.SubFactory(UserFactory)
    action = "evidence.updated"
    summary = "E1 changed: title"

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> AuditEntry:
        with transaction.atomic():
            return record(
                actor=kwargs["actor"],  # type: ignore[arg-type]
                action=str(kwargs["action"]),
                summary=str(kwargs["summary"]),
                subject=kwargs["actor"],  # type: ignore[arg-type]
            )


class AuditCheckpointFactory(factory.django.DjangoModelFactory):
    """A signed checkpoint of the site's chain, made as `checkpoint_audit` makes one (after an entry in it)."""

    class Meta:
        model = AuditCheckpoint

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> AuditCheckpoint:
        AuditEntryFactory()
        made = make_checkpoint(centre_id=None)
        assert made is not None
        return made.checkpoint
