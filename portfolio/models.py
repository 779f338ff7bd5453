"""Centres, the people in them, learners' enrolments and their evidence portfolios."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q

from units.models import Criterion, RangeItem, Specification


class Centre(models.Model):
    """A training provider approved by an awarding body; every portfolio belongs to one."""

    name = models.CharField(max_length=200)
    code = models.SlugField(
        max_length=50, unique=True, help_text="Short code, e.g. the awarding body's centre number."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in a centre; one person may hold several (an assessor is often an IV for others)."""

    class Role(models.TextChoices):
        LEARNER = "learner", "Learner"
        ASSESSOR = "assessor", "Assessor"
        INTERNAL_VERIFIER = "iv", "Internal verifier"
        ADMIN = "admin", "Centre administrator"
        EQA = "eqa", "External quality assurer"

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["centre", "user", "role"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "user", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} at {self.centre}"


class AssessmentMethod(models.Model):
    """How evidence was produced (OBS, PD, RA, …); codes and labels are the centre's own."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="methods")
    code = models.CharField(max_length=10)
    label = models.CharField(max_length=100)
    needs_witness = models.BooleanField(
        default=False, help_text="Testimony: record the witness's name and role."
    )
    is_observation = models.BooleanField(default=False, help_text="Direct observation of practice.")
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["centre", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "code"], name="method_code_unique_in_centre"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.label}"


class Enrolment(models.Model):
    """A learner on one or more specification versions, with the assessor and IV assigned to them."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="enrolments")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessed_enrolments",
    )
    internal_verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verified_enrolments",
    )
    specifications = models.ManyToManyField(Specification, through="EnrolledSpecification", related_name="+")
    start_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    group = models.CharField(
        "enrolment group",
        max_length=100,
        blank=True,
        help_text='The cohort the learner belongs to, e.g. "Level 5 September 2026": exported and reported together.',
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["centre", "learner", "-start_date"]
        indexes = [models.Index(fields=["centre", "group"], name="enrolment_centre_group")]

    def __str__(self) -> str:
        return f"{self.learner} at {self.centre} from {self.start_date:%d/%m/%Y}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class EnrolledSpecification(models.Model):
    """Which specification versions an enrolment covers; a specification in use cannot be deleted."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="enrolled_specifications")
    specification = models.ForeignKey(Specification, on_delete=models.PROTECT, related_name="enrolments")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["enrolment", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "specification"], name="enrolment_specification_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(self.specification)


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
        return self.status in self.EDITABLE_STATUSES


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
