"""Assessors' decisions on evidence, and the signatures on a unit's completion that an awarding body relies on."""

import datetime
from typing import Any, Protocol, cast

from django.conf import settings
from django.db import models

from accounts.models import User
from centres.models import Enrolment
from portfolio.models import Evidence, EvidenceMapping
from signing.append_only import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet
from signing.keys import sign_statement
from units.models import Specification

# Every signed row keeps the id of the centre key that signed it and the base64 Ed25519 signature of its
# `statement()` (with the key id); rows made before records were signed by a key have both empty.
KEY_ID_LENGTH = 100
SIGNATURE_LENGTH = 100


class _QuerysetOnly(Protocol):
    queryset_only: bool


class Review(models.Model):
    """One round of assessment of a piece of evidence, closed by accepting it or referring it back."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        REFERRED = "referred", "Referred back"

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="reviews")
    round = models.PositiveSmallIntegerField()
    decision = models.CharField(max_length=10, choices=Decision.choices)
    feedback = models.TextField(blank=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["evidence", "round"]
        constraints = [models.UniqueConstraint(fields=["evidence", "round"], name="review_round_unique")]

    def __str__(self) -> str:
        return f"{self.evidence.reference} round {self.round}: {self.get_decision_display()}"


class JudgementQuerySet(models.QuerySet["Judgement"]):
    def frozen(self) -> "JudgementQuerySet":
        """Judgements a signature in force covers: its unit's, for its learner. They are never changed."""
        return self.filter(
            models.Exists(
                SignOff.objects.in_force().filter(
                    enrolment_id=models.OuterRef("evidence__enrolment_id"),
                    specification_id=models.OuterRef("mapping__criterion__specification_id"),
                )
            )
        )

    def update(self, **kwargs: Any) -> int:
        refuse_frozen(self)
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        refuse_frozen(self)
        return super().delete()

    cast(_QuerysetOnly, delete).queryset_only = True


def refuse_frozen(judgements: "JudgementQuerySet") -> None:
    """On SQLite the ORM stands in for PostgreSQL's trigger: a frozen judgement is neither changed nor deleted."""
    frozen = judgements.frozen().values_list("pk", flat=True).first()
    if frozen is not None:
        raise AppendOnlyError(
            f"judgement #{frozen} is covered by a signature in force and is never changed: reopen the unit "
            "(a void row) and judge again in a new round"
        )


class Judgement(models.Model):
    """An assessor's decision that a mapped criterion (or range item) is met or not yet met, in one round.
    Once a signature in force covers it, it is frozen: never updated or deleted (`JudgementQuerySet.frozen`)."""

    mapping = models.ForeignKey(EvidenceMapping, on_delete=models.CASCADE, related_name="judgements")
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="judgements")
    round = models.PositiveSmallIntegerField()
    met = models.BooleanField()
    feedback = models.TextField(blank=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    judged_at = models.DateTimeField()

    objects = JudgementQuerySet.as_manager()

    class Meta:
        ordering = ["evidence", "round", "mapping"]
        constraints = [models.UniqueConstraint(fields=["mapping", "round"], name="judgement_round_unique")]

    def __str__(self) -> str:
        return f"{self.mapping}: {'met' if self.met else 'not yet met'} (round {self.round})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            refuse_frozen(Judgement.objects.filter(pk=self.pk))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        refuse_frozen(Judgement.objects.filter(pk=self.pk))
        return super().delete(*args, **kwargs)


class JudgementReopening(AppendOnlyModel):
    """An internal verifier's disagreement with one judgement: it no longer counts, and the assessor judges that
    line again (a new judgement, in the next round). A row of its own pointing at the judgement, never an edit."""

    judgement = models.OneToOneField(Judgement, on_delete=models.PROTECT, related_name="reopening")
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reopened_at = models.DateTimeField()
    reason = models.TextField()

    objects = AppendOnlyQuerySet["JudgementReopening"].as_manager()

    class Meta:
        ordering = ["reopened_at", "pk"]

    def __str__(self) -> str:
        return f"{self.judgement} reopened on {self.reopened_at:%d/%m/%Y}: {self.reason}"


class RoundFeedback(models.Model):
    """The assessor's overall feedback on a round still open, kept from one save to the next so that nothing
    typed is lost; the decision copies it into the round's `Review`, and this row goes."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="round_feedback")
    round = models.PositiveSmallIntegerField()
    text = models.TextField()
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["evidence", "round"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "round"], name="round_feedback_round_unique")
        ]

    def __str__(self) -> str:
        return f"{self.evidence.reference} round {self.round}: feedback not yet sent"


class SignOffQuerySet(AppendOnlyQuerySet["SignOff"]):
    def in_force(self) -> "SignOffQuerySet":
        """Signatures no void row points at: the one definition of a signature in force."""
        return self.filter(void__isnull=True)


class SignOff(AppendOnlyModel):
    """A signature on a specification's completion, as on the recording form, signed by the centre's key as it
    is first saved. It is never changed: voiding it adds a `SignOffVoid` that points at it."""

    class Role(models.TextChoices):
        LEARNER = "learner", "Candidate: submitted to assessor as complete"
        ASSESSOR = "assessor", "Assessor: assessed complete"
        ADMIN_CHECK = "admin_check", "Internal verifier: admin check"
        COMPLETION = "completion", "Internal verifier: unit completion confirmed"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="sign_offs")
    specification = models.ForeignKey(Specification, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=12, choices=Role.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name_printed = models.CharField(max_length=200)
    signed_at = models.DateTimeField()
    covered = models.JSONField(
        help_text="The canonical record of what was signed: criteria, judgements, evidence."
    )
    digest = models.CharField(max_length=64, help_text="SHA-256 of `covered` in canonical form.")
    key_id = models.CharField(
        max_length=KEY_ID_LENGTH, blank=True, help_text="The centre key that signed it."
    )
    key_signature = models.CharField(
        max_length=SIGNATURE_LENGTH, blank=True, help_text="Ed25519 signature of `statement()`, base64."
    )

    objects = SignOffQuerySet.as_manager()

    class Meta:
        ordering = ["enrolment", "specification", "signed_at"]
        indexes = [models.Index(fields=["enrolment", "specification", "role"], name="signoff_lookup")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} by {self.name_printed} on {self.signed_at:%d/%m/%Y}"

    @property
    def centre_id(self) -> int:
        return self.enrolment.centre_id

    def statement(self) -> dict[str, Any]:
        """What the centre's key signs: the digest of what is covered, and who signed, in which role, when."""
        return {
            "record": "signature",
            "centre": self.centre_id,
            "enrolment": self.enrolment_id,
            "learner": self.enrolment.learner_id,
            "specification": self.specification_id,
            "role": self.role,
            "signer": self.signer_id,
            "name_printed": self.name_printed,
            "signed_at": self.signed_at,
            "digest": self.digest,
        }

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and not self.key_signature:
            self.key_id, self.key_signature = sign_statement(self.centre_id, self.statement())
        super().save(*args, **kwargs)

    @property
    def checked_on(self) -> datetime.date | None:
        """The date of an admin check, as the IV gave it (the signature's own time is `signed_at`)."""
        value = self.covered.get("checked_on")
        return datetime.date.fromisoformat(value) if value else None

    @property
    def void_row(self) -> "SignOffVoid | None":
        try:
            return self.void
        except SignOffVoid.DoesNotExist:
            return None

    @property
    def is_valid(self) -> bool:
        """In force: no void row points at it (read `SignOff.objects.in_force()` for many)."""
        return self.void_row is None

    @property
    def voided_at(self) -> datetime.datetime | None:
        return void.voided_at if (void := self.void_row) else None

    @property
    def voided_by(self) -> User | None:
        return void.voided_by if (void := self.void_row) else None

    @property
    def void_reason(self) -> str:
        return void.reason if (void := self.void_row) else ""


class SignOffVoid(AppendOnlyModel):
    """That a signature no longer stands, why, who said so and when: a row of its own, never an edit of the
    signature (a reopened unit, an IV's disagreement), signed by the centre's key like the signature."""

    signature = models.OneToOneField(SignOff, on_delete=models.PROTECT, related_name="void")
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    voided_at = models.DateTimeField()
    reason = models.TextField()
    key_id = models.CharField(
        max_length=KEY_ID_LENGTH, blank=True, help_text="The centre key that signed it."
    )
    key_signature = models.CharField(
        max_length=SIGNATURE_LENGTH, blank=True, help_text="Ed25519 signature of `statement()`, base64."
    )

    objects = AppendOnlyQuerySet["SignOffVoid"].as_manager()

    class Meta:
        ordering = ["voided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.signature} voided on {self.voided_at:%d/%m/%Y}: {self.reason}"

    @property
    def centre_id(self) -> int:
        return self.signature.centre_id

    def statement(self) -> dict[str, Any]:
        """What the centre's key signs: which signature (by its own signature and digest) is void, why, by whom."""
        return {
            "record": "signature_void",
            "centre": self.centre_id,
            "voids": {
                "id": self.signature_id,
                "digest": self.signature.digest,
                "key_signature": self.signature.key_signature,
            },
            "voided_by": self.voided_by_id,
            "voided_at": self.voided_at,
            "reason": self.reason,
        }

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and not self.key_signature:
            self.key_id, self.key_signature = sign_statement(self.centre_id, self.statement())
        super().save(*args, **kwargs)
