"""Assessors' decisions on evidence, and the unit sign-off that an awarding body relies on."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from portfolio.models import Enrolment, Evidence, EvidenceMapping
from units.models import Specification


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


class Judgement(models.Model):
    """An assessor's decision that a mapped criterion (or range item) is met or not yet met, in one round."""

    mapping = models.ForeignKey(EvidenceMapping, on_delete=models.CASCADE, related_name="judgements")
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="judgements")
    round = models.PositiveSmallIntegerField()
    met = models.BooleanField()
    feedback = models.TextField(blank=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    judged_at = models.DateTimeField()

    class Meta:
        ordering = ["evidence", "round", "mapping"]
        constraints = [models.UniqueConstraint(fields=["mapping", "round"], name="judgement_round_unique")]

    def __str__(self) -> str:
        return f"{self.mapping}: {'met' if self.met else 'not yet met'} (round {self.round})"


class SignOff(models.Model):
    """A signature on a specification's completion, as on the recording form; valid until voided by a reopening."""

    class Role(models.TextChoices):
        LEARNER = "learner", "Candidate: submitted to assessor as complete"
        ASSESSOR = "assessor", "Assessor: assessed complete"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="sign_offs")
    specification = models.ForeignKey(Specification, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name_printed = models.CharField(max_length=200)
    signed_at = models.DateTimeField()
    covered = models.JSONField(
        help_text="The canonical record of what was signed: criteria, judgements, evidence."
    )
    digest = models.CharField(max_length=64, help_text="SHA-256 of `covered` in canonical form.")
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["enrolment", "specification", "signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "specification", "role"],
                condition=Q(voided_at=None),
                name="signoff_one_valid_per_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} by {self.name_printed} on {self.signed_at:%d/%m/%Y}"

    @property
    def is_valid(self) -> bool:
        return self.voided_at is None
