"""Assessment records in the Django admin: read-only, since every change goes through the services and is audited."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from assessments.models import Judgement, Review, SignOff, SignOffVoid


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("evidence", "round", "decision", "assessor", "decided_at")
    list_select_related = ("evidence", "assessor")


@admin.register(Judgement)
class JudgementAdmin(ReadOnlyAdmin):
    list_display = ("mapping", "round", "met", "assessor", "judged_at")
    list_select_related = ("mapping__evidence", "mapping__criterion", "mapping__range_item", "assessor")


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ("enrolment", "specification", "role", "name_printed", "signed_at")
    list_select_related = ("enrolment__learner", "specification")


@admin.register(SignOffVoid)
class SignOffVoidAdmin(ReadOnlyAdmin):
    list_display = ("signature", "voided_by", "voided_at", "reason")
    list_select_related = ("signature__enrolment__learner", "voided_by")
