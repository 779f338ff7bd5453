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


# Internal quality assurance


class Rating(models.TextChoices):
    """How much of an assessor's work is sampled: a new or unqualified assessor is high risk."""

    HIGH = "high", "High (e.g. new or unqualified)"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low (experienced)"


class SamplingStrategy(models.Model):
    """A centre's sampling strategy: how much is sampled, by the risk of each assessor's decisions."""

    centre = models.OneToOneField(
        "portfolio.Centre", on_delete=models.CASCADE, related_name="sampling_strategy"
    )
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

    centre = models.ForeignKey("portfolio.Centre", on_delete=models.PROTECT, related_name="sampling_plans")
    internal_verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    seed = models.PositiveBigIntegerField(help_text="Generating again with this seed gives the same plan.")
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField(auto_now_add=True)

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
    enrolment = models.ForeignKey("portfolio.Enrolment", on_delete=models.PROTECT, related_name="samples")
    specification = models.ForeignKey(Specification, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(
        "units.Group", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
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


class SampleDecision(models.Model):
    """The IV's decision on a sample: agree or disagree with the assessor, with the VACS checklist."""

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
    decided_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.sample}: {'agree' if self.agrees else 'disagree'}"


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

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"Action for {self.owner} due {self.due_on:%d/%m/%Y}"


class EQAGrant(models.Model):
    """Read-only access for an external quality assurer to chosen portfolios, or the whole centre, for a period."""

    centre = models.ForeignKey("portfolio.Centre", on_delete=models.CASCADE, related_name="eqa_grants")
    eqa = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="eqa_grants")
    whole_centre = models.BooleanField(default=False)
    enrolments = models.ManyToManyField("portfolio.Enrolment", blank=True, related_name="eqa_grants")
    starts_on = models.DateField()
    ends_on = models.DateField()
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["centre", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="eqa_grant_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.eqa} at {self.centre}, {self.starts_on:%d/%m/%Y} to {self.ends_on:%d/%m/%Y}"


class EQAPageView(models.Model):
    """Every page an EQA opens under a grant, for the centre's record of external scrutiny."""

    grant = models.ForeignKey(EQAGrant, on_delete=models.PROTECT, related_name="page_views")
    path = models.CharField(max_length=500)
    viewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"{self.grant.eqa} viewed {self.path}"
