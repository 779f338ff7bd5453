"""A learner's portfolio: numbered pieces of evidence, their files (every version kept) and what they are mapped to."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q

from centres.models import AssessmentMethod, Centre, Enrolment
from units.models import Criterion, RangeItem


class EvidenceSequence(models.Model):
    """The last evidence number given to a learner in a centre; locked while the next one is taken."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE)
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "learner"], name="evidence_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.learner}: E{self.last_number}"


class Evidence(models.Model):
    """A piece of evidence: the learner's numbered item (E1, E2, …) that the recording form refers to."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        REFERRED = "referred", "Referred back"
        RESUBMITTED = "resubmitted", "Resubmitted"

    EDITABLE_STATUSES = (Status.DRAFT, Status.REFERRED)
    AWAITING_STATUSES = (Status.SUBMITTED, Status.RESUBMITTED)

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="evidence")
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evidence")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    date = models.DateField(help_text="When the evidence was produced or the activity took place.")
    method = models.ForeignKey(AssessmentMethod, on_delete=models.PROTECT, related_name="evidence")
    narrative = models.TextField(blank=True)
    witness_name = models.CharField(max_length=200, blank=True)
    witness_role = models.CharField(max_length=200, blank=True)
    witness_relationship = models.CharField(max_length=200, blank=True)
    assessment_site = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    declared_at = models.DateTimeField(null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who recorded it when not the learner: the assessor, for an observation.",
    )
    observed_remotely = models.BooleanField(
        default=False,
        help_text="An observation made by video or from a recording, not in person.",
    )
    version = models.PositiveIntegerField(
        default=0, help_text="Raised by every assessment change: a form based on an older one is refused."
    )
    form_key = models.UUIDField(
        null=True,
        blank=True,
        editable=False,
        help_text="The creating form's key: a form posted twice makes one piece.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["enrolment", "number"]
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(fields=["centre", "learner", "number"], name="evidence_number_unique"),
            models.UniqueConstraint(fields=["learner", "form_key"], name="evidence_form_key_unique"),
        ]
        indexes = [models.Index(fields=["enrolment", "status"], name="evidence_enrolment_status")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"E{self.number}"

    @property
    def is_editable(self) -> bool:
        """Draft or referred back: the learner may change it; anything else waits for or has a judgement."""
        return self.status in self.EDITABLE_STATUSES

    @property
    def is_awaiting_assessment(self) -> bool:
        return self.status in self.AWAITING_STATUSES

    @property
    def is_recorded_observation(self) -> bool:
        """A direct observation recorded by the assessor: never one a learner made of themselves."""
        return (
            self.method.is_observation
            and self.recorded_by_id is not None
            and self.recorded_by_id != self.learner_id
        )


def evidence_file_path(instance: "EvidenceFile", filename: str) -> str:
    """A storage name of our own making: the uploaded name is kept for display only, never as a path."""
    suffix = PurePosixPath(filename).suffix.lower()
    safe_suffix = suffix if suffix[1:].isalnum() and len(suffix) <= 10 else ""
    return f"evidence/{instance.evidence.centre_id}/{uuid.uuid4().hex}{safe_suffix}"


class EvidenceFile(models.Model):
    """One uploaded file; replacing it adds a new version and keeps this one."""

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to=evidence_file_path, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(
        max_length=150, help_text="Sniffed from the content, not taken from the name."
    )
    sha256 = models.CharField(max_length=64, db_index=True)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    is_current = models.BooleanField(default=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evidence", "uploaded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "sha256"],
                condition=Q(is_current=True),
                name="evidence_file_current_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class EvidenceMapping(models.Model):
    """A learner's proposal that a piece of evidence meets a criterion (or one of its range items)."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="mappings")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    range_item = models.ForeignKey(
        RangeItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evidence", "criterion__specification", "criterion__position", "range_item__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "criterion"],
                condition=Q(range_item=None),
                name="mapping_criterion_unique",
            ),
            models.UniqueConstraint(fields=["evidence", "range_item"], name="mapping_range_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.evidence.reference} → {self.label}"

    @property
    def label(self) -> str:
        return f"{self.criterion.ref} {self.range_item.ref})" if self.range_item else self.criterion.ref
