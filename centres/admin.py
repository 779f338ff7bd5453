"""Centres, memberships, assessment methods and enrolments in the Django admin.

Centre administrators work in the app's centre pages, which apply the rules in `centres.services`; these admin
pages are for the site's staff and change rows directly.
"""

from django.contrib import admin

from centres.models import AssessmentMethod, Centre, EnrolledSpecification, Enrolment, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    extra = 0


class AssessmentMethodInline(admin.TabularInline):
    model = AssessmentMethod
    fields = ("position", "code", "label", "needs_witness", "is_observation", "is_active")
    extra = 0


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "created_at")
    search_fields = ("name", "code")
    inlines = (AssessmentMethodInline, MembershipInline)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "user_email", "role", "centre", "created_at")
    list_filter = ("role", "centre")
    search_fields = ("user__full_name", "user__email", "centre__name", "centre__code")
    list_select_related = ("user", "centre")
    autocomplete_fields = ("user", "centre")

    @admin.display(description="e-mail address", ordering="user__email")
    def user_email(self, obj: Membership) -> str:
        return obj.user.email


@admin.register(AssessmentMethod)
class AssessmentMethodAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "centre", "needs_witness", "is_observation", "is_active", "position")
    list_filter = ("is_active", "is_observation", "needs_witness", "centre")
    search_fields = ("code", "label", "centre__name")
    list_select_related = ("centre",)


class EnrolledSpecificationInline(admin.TabularInline):
    model = EnrolledSpecification
    fields = ("position", "specification")
    autocomplete_fields = ("specification",)
    extra = 0


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("learner", "centre", "assessor", "internal_verifier", "start_date", "status")
    list_filter = ("status", "centre")
    search_fields = (
        "learner__full_name",
        "learner__email",
        "assessor__full_name",
        "internal_verifier__full_name",
        "centre__name",
    )
    list_select_related = ("learner", "centre", "assessor", "internal_verifier")
    autocomplete_fields = ("learner", "assessor", "internal_verifier", "centre")
    date_hierarchy = "start_date"
    inlines = (EnrolledSpecificationInline,)
