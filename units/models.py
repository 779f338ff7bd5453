"""Specifications in one shape for RQF units and National Occupational Standards.

A specification version is a published document: once imported, none of its rows may change (learners are
assessed against it word for word). A revision is imported as a new version beside the old one.
"""

from typing import Any

from django.db import models


class SpecificationChangeError(Exception):
    """Raised on any attempt to change a row of an imported specification."""


class ImmutableModel(models.Model):
    """Rows that may be created but never updated in place."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise SpecificationChangeError(
                f"{self._meta.verbose_name} is part of an imported specification version and cannot be "
                "changed; import a new version instead"
            )
        super().save(*args, **kwargs)


class Specification(ImmutableModel):
    class Kind(models.TextChoices):
        UNIT = "unit", "RQF unit"
        STANDARD = "standard", "National Occupational Standard"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    code = models.CharField(max_length=50, db_index=True)
    aliases = models.JSONField(default=list, blank=True)
    title = models.CharField(max_length=500)
    version = models.CharField(max_length=50)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    credits = models.PositiveSmallIntegerField(null=True, blank=True)
    guided_learning_hours = models.PositiveIntegerField(null=True, blank=True)
    owner = models.CharField(max_length=200, blank=True)
    overview = models.TextField(blank=True)
    assessment_requirements = models.TextField(blank=True)
    assessment_rules = models.JSONField(
        default=dict,
        blank=True,
        help_text="The document's assessment-rules block as imported (empty: the format's default rules).",
    )
    values = models.TextField(blank=True)
    content_digest = models.CharField(
        max_length=64, help_text="SHA-256 of the canonical document; tells a re-import from a changed one."
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "imported_at"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="specification_code_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title} (v{self.version})"

    @property
    def aliases_display(self) -> str:
        return ", ".join(self.aliases)

    @property
    def label(self) -> str:
        """How a line's rule names its specification: "L/652/0848 v2"."""
        return f"{self.code} v{self.version}"

    @property
    def remote_observation_counts(self) -> bool:
        """Whether a remote observation may stand for a direct one; by default it only supplements one."""
        return bool(self.assessment_rules.get("direct_observation", {}).get("remote") == "counts")


class Definition(ImmutableModel):
    """A scope / range term of a specification."""

    specification = models.ForeignKey(Specification, on_delete=models.CASCADE, related_name="definitions")
    position = models.PositiveIntegerField()
    term = models.CharField(max_length=200)
    text = models.TextField()
    heading = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["specification", "position"]
        constraints = [
            models.UniqueConstraint(fields=["specification", "position"], name="definition_position_unique"),
        ]

    def __str__(self) -> str:
        return self.term


class Group(ImmutableModel):
    """A learning outcome of a unit or a heading of a standard."""

    class Kind(models.TextChoices):
        KNOWLEDGE = "knowledge", "Knowledge"
        SKILL = "skill", "Skill"
        PERFORMANCE = "performance", "Performance"

    specification = models.ForeignKey(Specification, on_delete=models.CASCADE, related_name="groups")
    position = models.PositiveIntegerField()
    number = models.CharField(max_length=20, blank=True)
    title = models.CharField(max_length=500)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    needs_observation = models.BooleanField(
        default=False,
        help_text="Its criteria are met only with a direct observation by the assessor (the specification's "
        "assessment rules, or by default every skill group).",
    )

    class Meta:
        ordering = ["specification", "position"]
        constraints = [
            models.UniqueConstraint(fields=["specification", "position"], name="group_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.title}" if self.number else self.title

    @property
    def label(self) -> str:
        """How the group is named in lists: "LO3" for a learning outcome, the heading for a standard."""
        return f"LO{self.number}" if self.number else self.title


class Criterion(ImmutableModel):
    """An assessment criterion, performance criterion or knowledge point, its text verbatim."""

    specification = models.ForeignKey(Specification, on_delete=models.CASCADE, related_name="criteria")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveIntegerField()
    ref = models.CharField(max_length=20)
    text = models.TextField()
    needs_observation = models.BooleanField(
        default=False,
        help_text="Met only with a direct observation by the assessor: its group's rule, or its own.",
    )

    class Meta:
        ordering = ["specification", "position"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["specification", "ref"], name="criterion_ref_unique"),
            models.UniqueConstraint(fields=["specification", "position"], name="criterion_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.text}"


class RangeItem(ImmutableModel):
    """One of a criterion's range items a), b), …; each needs evidence of its own."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="range_items")
    position = models.PositiveIntegerField()
    ref = models.CharField(max_length=10)
    text = models.TextField()

    class Meta:
        ordering = ["criterion", "position"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "ref"], name="range_item_ref_unique"),
            models.UniqueConstraint(fields=["criterion", "position"], name="range_item_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.ref} {self.ref}) {self.text}"


class IndicativeContent(ImmutableModel):
    """What a term in a criterion means, shown beside the criterion."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="indicative_content")
    position = models.PositiveIntegerField()
    term = models.CharField(max_length=200)
    text = models.TextField()

    class Meta:
        ordering = ["criterion", "position"]
        verbose_name_plural = "indicative content"
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "position"], name="indicative_content_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.term


class Guidance(ImmutableModel):
    """Guidance for learners (tips, mistakes) and assessors (marking points) on a specification or its groups."""

    specification = models.ForeignKey(Specification, on_delete=models.CASCADE, related_name="guidance")
    groups = models.ManyToManyField(Group, blank=True, related_name="guidance")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    synopsis = models.TextField(blank=True)
    key_concepts = models.JSONField(default=list, blank=True)
    tips = models.JSONField(default=list, blank=True)
    mistakes = models.JSONField(default=list, blank=True)
    marking_points = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["specification", "position"]
        verbose_name_plural = "guidance"
        constraints = [
            models.UniqueConstraint(fields=["specification", "position"], name="guidance_position_unique"),
        ]

    def __str__(self) -> str:
        return self.title
