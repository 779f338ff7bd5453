import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("portfolio", "0001_centres_enrolments_evidence"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sequence", models.PositiveBigIntegerField(editable=False, unique=True)),
                ("at", models.DateTimeField(editable=False)),
                (
                    "actor_name",
                    models.CharField(help_text="The actor's name as it was at the time.", max_length=200),
                ),
                (
                    "action",
                    models.CharField(help_text='A short code, e.g. "evidence.submitted".', max_length=50),
                ),
                ("subject_type", models.CharField(help_text='e.g. "portfolio.evidence".', max_length=100)),
                ("subject_id", models.CharField(max_length=64)),
                ("summary", models.TextField()),
                ("before", models.JSONField(blank=True, null=True)),
                ("after", models.JSONField(blank=True, null=True)),
                ("previous_hash", models.CharField(editable=False, max_length=64)),
                ("entry_hash", models.CharField(editable=False, max_length=64, unique=True)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty when the system acted (a command, a scheduled task).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "centre",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="portfolio.centre",
                    ),
                ),
                (
                    "learner",
                    models.ForeignKey(
                        blank=True,
                        help_text="Whose portfolio the entry belongs to.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "audit entries",
                "ordering": ["sequence"],
                "indexes": [
                    models.Index(fields=["learner", "centre", "-sequence"], name="audit_learner_history"),
                    models.Index(fields=["subject_type", "subject_id"], name="audit_subject"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("sequence__gte", 1)), name="audit_sequence_from_one"
                    )
                ],
            },
        ),
    ]
