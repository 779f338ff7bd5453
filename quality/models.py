"""Internal quality assurance: the centre's sampling strategy, IVs' sampling plans, their samples and decisions,
and actions for assessors tracked to closure."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from assessments.models import KEY_ID_LENGTH, SIGNATURE_LENGTH, Judgement
from centres.models import Centre, Enrolment
from signing.append_only import AppendOnlyModel, AppendOnlyQuerySet
from signing.keys import sign_statement
from units.models import Group, Specification


class Rating(models.TextChoices):
    """How much of an assessor's work is sampled: a new or unqualified assessor is high risk."""

    HIGH = "high", "High (e.g. new or unqualified)"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low (experienced)"


class SamplingStrategy(models.Model):
    """A centre's sampling strategy: how much is sampled, by the risk of each assessor's decisions."""

    centre = models.OneToOneField(Centre, on_delete=models.CASCADE, related_name="sampling_strategy")
    period_months = models.PositiveSmallIntegerField(
        default=12, help_text="The period a sampling plan covers."
    )
    interim_percent = models.PositiveSmallIntegerField(
        default=60, help_text="Share of samples taken from work in progress; the rest are summative."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "sampling strategies"
        constraints = [
            models.CheckConstraint(
                condition=Q(interim_percent__lte=100), name="strategy_interim_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Sampling strategy of {self.centre}"


class RiskLevel(models.Model):
    """The percentage of an assessor's learners, and of those learners' units, sampled for one rating."""

    strategy = models.ForeignKey(SamplingStrategy, on_delete=models.CASCADE, related_name="levels")
    rating = models.CharField(max_length=10, choices=Rating.choices)
    learners_percent = models.PositiveSmallIntegerField()
    units_percent = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["strategy", "rating"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "rating"], name="risk_level_unique"),
            models.CheckConstraint(
                condition=Q(learners_percent__lte=100, units_percent__lte=100),
                name="risk_level_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rating_display()}: {self.learners_percent}% of learners, {self.units_percent}% of units"


class AssessorRisk(models.Model):
    """An assessor's rating in the centre's strategy, with the reason."""

    strategy = models.ForeignKey(SamplingStrategy, on_delete=models.CASCADE, related_name="assessor_risks")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.CharField(max_length=10, choices=Rating.choices)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["strategy", "assessor"]
        constraints = [models.UniqueConstraint(fields=["strategy", "assessor"], name="assessor_risk_unique")]

    def __str__(self) -> str:
        return f"{self.assessor}: {self.get_rating_display()}"


class SamplingPlan(models.Model):
    """An IV's plan of samples for a period, generated reproducibly from a stored seed and then edited by hand."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="sampling_plans")
    internal_verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    seed = models.PositiveBigIntegerField(help_text="Generating again with this seed gives the same plan.")
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField(auto_now_add=True)
    coverage_summary = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="The CAMERA coverage as the dashboard shows it, stored when the samples change "
        "(quality.services.coverage); null for a plan made before it was stored.",
    )

    class Meta:
        ordering = ["centre", "-period_start"]

    def __str__(self) -> str:
        return f"Sampling plan of {self.internal_verifier} ({self.period_start:%d/%m/%Y} to {self.period_end:%d/%m/%Y})"


class Sample(models.Model):
    """One planned look at an assessor's decisions on a learner's unit (or one learning outcome of it)."""

    class Kind(models.TextChoices):
        INTERIM = "interim", "Interim"
        SUMMATIVE = "summative", "Summative"

    plan = models.ForeignKey(SamplingPlan, on_delete=models.CASCADE, related_name="samples")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="samples")
    specification = models.ForeignKey(Specification, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="A learning outcome or heading to look at; empty = the whole unit.",
    )  # fmt: skip
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.TextField(help_text="Why this sample was chosen (risk, coverage, by hand).")
    planned_for = models.DateField(null=True, blank=True)
    added_by_hand = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} sample: {self.enrolment.learner}, {self.specification.code}"


class SampleDecision(AppendOnlyModel):
    """The IV's decision on a sample: agree or disagree with the assessor, with the VACS checklist. Signed by the
    centre's key as it is first saved, with what was looked at (`looked_at`); never changed."""

    sample = models.OneToOneField(Sample, on_delete=models.PROTECT, related_name="decision")
    internal_verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agrees = models.BooleanField()
    valid = models.BooleanField()
    authentic = models.BooleanField()
    current = models.BooleanField()
    sufficient = models.BooleanField()
    feedback = models.TextField(help_text="Feedback to the assessor.")
    judgements = models.ManyToManyField(
        Judgement, blank=True, related_name="+", help_text="What was looked at."
    )
    looked_at = models.JSONField(
        default=list,
        blank=True,
        help_text="The judgements looked at as they stood (id, evidence, line, round, met), in the signed record.",
    )
    decided_at = models.DateTimeField()
    key_id = models.CharField(
        max_length=KEY_ID_LENGTH, blank=True, help_text="The centre key that signed it."
    )
    key_signature = models.CharField(
        max_length=SIGNATURE_LENGTH, blank=True, help_text="Ed25519 signature of `statement()`, base64."
    )

    objects = AppendOnlyQuerySet["SampleDecision"].as_manager()

    def __str__(self) -> str:
        return f"{self.sample}: {'agree' if self.agrees else 'disagree'}"

    @property
    def centre_id(self) -> int:
        return self.sample.enrolment.centre_id

    def statement(self) -> dict[str, Any]:
        """What the centre's key signs: the sample, the decision with its checklist and feedback, what was looked
        at, who decided and when."""
        sample = self.sample
        return {
            "record": "sample_decision",
            "centre": self.centre_id,
            "sample": self.sample_id,
            "kind": sample.kind,
            "enrolment": sample.enrolment_id,
            "specification": sample.specification_id,
            "group": sample.group_id,
            "assessor": sample.assessor_id,
            "internal_verifier": self.internal_verifier_id,
            "agrees": self.agrees,
            "vacs": {
                "valid": self.valid,
                "authentic": self.authentic,
                "current": self.current,
                "sufficient": self.sufficient,
            },
            "feedback": self.feedback,
            "looked_at": self.looked_at,
            "decided_at": self.decided_at,
        }

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and not self.key_signature:
            self.key_id, self.key_signature = sign_statement(self.centre_id, self.statement())
        super().save(*args, **kwargs)


class ActionQuerySet(models.QuerySet["Action"]):
    def overdue(self) -> "ActionQuerySet":
        """Open (no response yet) and past its due date: the one definition of overdue, as `Action.is_overdue`."""
        return self.filter(status=Action.Status.OPEN, due_on__lt=timezone.localdate())


class Action(models.Model):
    """Something an IV asks an assessor to do, tracked to closure."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESPONDED = "responded", "Responded"
        CLOSED = "closed", "Closed"

    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="actions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"Action for {self.owner} due {self.due_on:%d/%m/%Y}"

    @property
    def is_overdue(self) -> bool:
        """Open and past its due date (as `Action.objects.overdue()`): a responded action waits on the IV."""
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()
