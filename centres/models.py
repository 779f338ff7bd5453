"""Centres, the people in them and their roles, learners' enrolments, and external quality assurers' grants."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from units.models import Specification


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

    @property
    def is_open(self) -> bool:
        """Active or on hold: assessment goes on, and its assessor and IV keep their roles."""
        return self.status in (self.Status.ACTIVE, self.Status.ON_HOLD)


class EnrolledSpecification(models.Model):
    """Which specification versions an enrolment covers; a specification in use cannot be deleted."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="enrolled_specifications")
    specification = models.ForeignKey(Specification, on_delete=models.PROTECT, related_name="enrolments")
    position = models.PositiveSmallIntegerField(default=0)
    # Assessment's figures for this specification, kept here so that every list reads them at no cost: written
    # in the transaction of each change that moves them (`assessments.services.progress`), never by hand.
    lines = models.PositiveIntegerField(
        default=0, help_text="Lines of the recording form: criteria, range items one by one."
    )
    evidenced = models.PositiveIntegerField(default=0, help_text="Lines with evidence mapped to them.")
    met = models.PositiveIntegerField(default=0, help_text="Lines met.")

    class Meta:
        ordering = ["enrolment", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "specification"], name="enrolment_specification_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(self.specification)


class EQAGrantQuerySet(models.QuerySet["EQAGrant"]):
    def in_force(self, on: datetime.date | None = None) -> "EQAGrantQuerySet":
        """Grants whose period includes `on` (today by default), both ends included."""
        day = on or timezone.localdate()
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class EQAGrant(models.Model):
    """Read-only access for an external quality assurer to chosen portfolios, or the whole centre, for a period."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="eqa_grants")
    eqa = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="eqa_grants")
    whole_centre = models.BooleanField(default=False)
    enrolments = models.ManyToManyField(Enrolment, blank=True, related_name="eqa_grants")
    starts_on = models.DateField()
    ends_on = models.DateField()
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    objects = EQAGrantQuerySet.as_manager()

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
    """Every page an EQA opens under a grant, and every attempt on the centre's pages that was refused (a page
    the grant does not cover, a change), for the centre's record of external scrutiny."""

    grant = models.ForeignKey(EQAGrant, on_delete=models.PROTECT, related_name="page_views")
    path = models.CharField(max_length=500)
    method = models.CharField(max_length=10, default="GET")
    status = models.PositiveSmallIntegerField(
        default=200, help_text="The answer: 200 shown, 403 or 404 refused."
    )
    viewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"{self.grant.eqa} viewed {self.path}"

    @property
    def refused(self) -> bool:
        return self.status >= 400
