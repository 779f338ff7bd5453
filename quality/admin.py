"""IQA records in the Django admin: read-only, since every change goes through the services and is audited."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from quality.models import Action, Sample, SampleDecision, SamplingPlan


@admin.register(SamplingPlan)
class SamplingPlanAdmin(ReadOnlyAdmin):
    list_display = ("centre", "internal_verifier", "period_start", "period_end", "seed")
    list_select_related = ("centre", "internal_verifier")


@admin.register(Sample)
class SampleAdmin(ReadOnlyAdmin):
    list_display = ("plan", "enrolment", "specification", "kind", "planned_for")
    list_select_related = ("plan__centre", "plan__internal_verifier", "enrolment__learner", "specification")


@admin.register(SampleDecision)
class SampleDecisionAdmin(ReadOnlyAdmin):
    list_display = ("sample", "internal_verifier", "agrees", "decided_at")
    list_select_related = ("sample__enrolment__learner", "sample__specification", "internal_verifier")


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = ("owner", "set_by", "due_on", "status")
    list_select_related = ("owner", "set_by")
