"""The audit trail: one append-only row per decision, change and signature, chained by SHA-256.

Rows are written only by `audit.services.record`, inside the transaction of the change they describe. Nothing
updates or deletes them: the model and its queryset refuse to, and on PostgreSQL so does the database itself
(migration 0002). There is one chain per centre and one for entries that belong to no centre (the site's): an
entry's chain is its `centre`, and its `sequence` counts from 1 within that chain. Each row's `entry_hash` covers
its content (centre and sequence included) and the previous row's hash in its chain, so an edited row, a removed
row or a reordering is found by `audit.services.verify_chain` (`manage.py verify_audit`).
"""

from typing import Any, Protocol, cast

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64
SITE_CHAIN = "site"


def chain_id(centre_id: int | None) -> str:
    """The name of a chain as commands, checkpoints and their files print it: "centre-12", or "site"."""
    return SITE_CHAIN if centre_id is None else f"centre-{centre_id}"


def centre_of_chain(chain: str) -> int | None:
    """The centre id a chain name stands for (None for the site's chain); ValueError for anything else."""
    if chain == SITE_CHAIN:
        return None
    prefix, _, number = chain.partition("-")
    if prefix != "centre" or not number.isdigit() or number != str(int(number)) or int(number) < 1:
        raise ValueError(f'"{chain}" is not an audit chain: expected "site" or "centre-<id>"')
    return int(number)


# What each action code means on screen, in words for the people who read a portfolio's history; every code a
# service records needs one here (tests/audit/test_action_labels.py finds them all in the code).
ACTIONS = {
    "centre.person_registered": "Person registered",
    "centre.roles_changed": "Roles changed",
    "enrolment.created": "Enrolled",
    "enrolment.updated": "Enrolment changed",
    "eqa.granted": "External quality assurer given access",
    "eqa.revoked": "External quality assurer's access ended",
    "evidence.created": "Evidence created",
    "evidence.updated": "Evidence changed",
    "evidence.submitted": "Evidence submitted",
    "evidence.resubmitted": "Evidence resubmitted",
    "evidence.accepted": "Evidence accepted",
    "evidence.referred": "Evidence referred back",
    "evidence.reopened": "Evidence reopened for judging again",
    "export.requested": "Export requested",
    "file.added": "File added",
    "file.replaced": "File replaced",
    "mapping.added": "Mapping added",
    "mapping.removed": "Mapping removed",
    "observation.recorded": "Observation recorded",
    "judgement.recorded": "Judgement recorded",
    "review.feedback_saved": "Feedback to the learner saved, not yet sent",
    "signoff.signed": "Signed off",
    "signoff.voided": "Sign-off voided",
    "iqa.strategy_updated": "Sampling strategy changed",
    "iqa.plan_generated": "Sampling plan made",
    "iqa.sample_added": "Sample added to the plan",
    "iqa.sample_moved": "Sample moved in the plan",
    "iqa.sample_removed": "Sample taken off the plan",
    "iqa.sample_decided": "Internal verifier's decision on a sample",
    "iqa.judgement_reopened": "Judgement reopened by the internal verifier",
    "iqa.action_set": "Action set for the assessor",
    "iqa.action_responded": "Assessor answered an action",
    "iqa.action_closed": "Action closed",
    "signin.second_factor_set_up": "Second sign-in step set up",
    "signin.recovery_codes_made": "Recovery codes made",
    "signin.second_factor_removed": "Second sign-in step removed",
    "signin.passkey_added": "Passkey added",
    "signin.passkey_removed": "Passkey removed",
    "signin.locked_out": "Signing in paused after too many wrong passwords",
}


class AuditChangeError(Exception):
    """Raised on any attempt to change or delete an audit entry: the trail is append-only."""


class _QuerysetOnly(Protocol):
    """Django's mark on a queryset method that `as_manager()` must not copy onto the manager."""

    queryset_only: bool


class AuditEntryQuerySet(models.QuerySet):
    """`update()` and `delete()` on many rows at once are refused like `save()` and `delete()` on one."""

    def update(self, **kwargs: Any) -> int:
        raise AuditChangeError("Audit entries are never changed: record a new entry instead.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditChangeError("Audit entries are never deleted.")

    # Marked as Django marks `QuerySet.delete`, so that, as for any model, `AuditEntry.objects.delete()` does
    # not exist. (`update` needs no mark: the manager has its own, which calls this one.)
    cast(_QuerysetOnly, delete).queryset_only = True


class AuditEntry(models.Model):
    """Who did what, when, to which part of whose portfolio, with the values before and after."""

    sequence = models.PositiveBigIntegerField(
        editable=False, help_text="The entry's place in its chain (its centre's, or the site's), from 1."
    )
    at = models.DateTimeField(editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the system acted (a command, a scheduled task).",
    )
    actor_name = models.CharField(max_length=200, help_text="The actor's name as it was at the time.")
    action = models.CharField(max_length=50, help_text='A short code, e.g. "evidence.submitted".')
    centre = models.ForeignKey(
        "centres.Centre", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Whose portfolio the entry belongs to.",
    )
    subject_type = models.CharField(max_length=100, help_text='e.g. "portfolio.evidence".')
    subject_id = models.CharField(max_length=64)
    summary = models.TextField()
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["id"]  # the order entries were written in; within a chain, the order of `sequence`
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["learner", "centre", "-sequence"], name="audit_learner_history"),
            models.Index(fields=["subject_type", "subject_id"], name="audit_subject"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(sequence__gte=1), name="audit_sequence_from_one"),
            models.UniqueConstraint(fields=["centre", "sequence"], name="audit_centre_chain_sequence"),
            # A unique (centre, sequence) lets NULL centres repeat, so the site's chain has its own.
            models.UniqueConstraint(
                fields=["sequence"], condition=models.Q(centre__isnull=True), name="audit_site_chain_sequence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chain} #{self.sequence} {self.action}: {self.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditChangeError(
                f"Audit entry #{self.sequence} cannot be changed: record a new entry instead."
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditChangeError(f"Audit entry #{self.sequence} cannot be deleted.")

    @property
    def chain(self) -> str:
        return chain_id(self.centre_id)

    @property
    def action_label(self) -> str:
        return ACTIONS.get(self.action, self.action)

    @property
    def short_hash(self) -> str:
        return self.entry_hash[:12]

    @property
    def changes(self) -> list[tuple[str, str, str]]:
        """(field, before, after) for each field in either side, as text for the history page."""
        before, after = self.before or {}, self.after or {}
        if not isinstance(before, dict) or not isinstance(after, dict):
            return [("value", _shown(self.before), _shown(self.after))]
        keys = list(dict.fromkeys([*before, *after]))
        return [(_field_name(key), _shown(before.get(key)), _shown(after.get(key))) for key in keys]


# Field names a care manager would not recognise, in their words.
FIELD_NAMES = {
    "sha256": "check code (SHA-256, from the file's content)",
    "content_type": "file type",
    "size": "size in bytes",
    "original_name": "file name",
}


def _field_name(key: str) -> str:
    return FIELD_NAMES.get(key, key.replace("_", " "))


def _shown(value: Any) -> str:
    """A before/after value as a person reads it: people by name, lists comma-separated, nothing as a dash."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return _shown_mapping(value)
    if isinstance(value, list):
        return ", ".join(_shown(item) for item in value)
    return str(value)


def _shown_mapping(value: dict[str, Any]) -> str:
    """A person (as `audit.services.person` keeps them) by name; any other mapping as "key: value" pairs."""
    if "name" in value:
        return str(value["name"])
    return ", ".join(f"{key}: {_shown(item)}" for key, item in value.items())


class AuditCheckpointQuerySet(models.QuerySet):
    """Checkpoints are kept like entries: never updated or deleted, one at a time or in bulk."""

    def update(self, **kwargs: Any) -> int:
        raise AuditChangeError("Audit checkpoints are never changed: make a new checkpoint instead.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditChangeError("Audit checkpoints are never deleted.")

    cast(_QuerysetOnly, delete).queryset_only = True


class AuditCheckpoint(models.Model):
    """A chain's head (sequence and hash) at a moment, signed with its centre's key (the site's for the site's
    chain); `audit.checkpoints` makes them and writes each out as a file to be kept away from this database."""

    chain = models.CharField(max_length=40, help_text='"centre-<id>", or "site" for entries of no centre.')
    sequence = models.PositiveBigIntegerField(
        help_text="The chain's newest entry when the checkpoint was made."
    )
    entry_hash = models.CharField(max_length=64, help_text="That entry's hash.")
    at = models.DateTimeField()
    key_id = models.CharField(max_length=200, help_text="The signing key, as the published key set names it.")
    signature = models.CharField(max_length=200, help_text="Ed25519 signature, base64.")

    objects = AuditCheckpointQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["chain", "-id"], name="audit_checkpoint_latest")]

    def __str__(self) -> str:
        return f"{self.chain} entry {self.sequence} at {self.at.isoformat()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditChangeError(f"Checkpoint {self} cannot be changed: make a new checkpoint instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditChangeError(f"Checkpoint {self} cannot be deleted.")
