"""Portable exports of portfolios, made in the background and downloaded when done."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Export(models.Model):
    """One request for a ZIP of portfolios: one learner's, or a cohort's (a centre, an assessor's caseload or an
    enrolment group), with the worker's progress and, when done, the file; or the reason it failed."""

    class Scope(models.TextChoices):
        LEARNER = "learner", "One learner"
        CENTRE = "centre", "Every learner in the centre"
        ASSESSOR = "assessor", "An assessor's learners"
        GROUP = "group", "An enrolment group"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    centre = models.ForeignKey("centres.Centre", on_delete=models.PROTECT, related_name="exports")
    scope = models.CharField(max_length=10, choices=Scope.choices)
    enrolment = models.ForeignKey(
        "centres.Enrolment", on_delete=models.PROTECT, null=True, blank=True, related_name="exports"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    group = models.CharField(max_length=100, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    total = models.PositiveIntegerField(default=0, help_text="Portfolios to export.")
    done = models.PositiveIntegerField(default=0, help_text="Portfolios exported so far.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="exports/", max_length=300, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True, help_text="Why it failed, in words a person can act on.")
    expired_at = models.DateTimeField(
        null=True, blank=True, help_text="When its file was removed under the retention rule."
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="learner", enrolment__isnull=False)
                    | Q(scope="centre")
                    | Q(scope="assessor", assessor__isnull=False)
                    | Q(scope="group") & ~Q(group="")
                ),
                name="export_scope_has_its_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"Export #{self.pk} ({self.get_scope_display()}): {self.get_status_display()}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)
