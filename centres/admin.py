"""Centres, memberships, assessment methods and enrolments in the Django admin, which is the site operator's
(staff with a second factor; centre administrators are never staff).

Centre administrators work in the app's centre pages, which apply the rules in `centres.services`. Here the
operator sets up a centre and its first administrator: every membership added or removed here is written to the
audit trail in the same transaction. Enrolments change only through the centre pages (audited): read-only here.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from accounts.admin import ReadOnlyAdmin
from audit.services import record
from centres.models import AssessmentMethod, Centre, EnrolledSpecification, Enrolment, Membership


def _record_membership(request: HttpRequest, membership: Membership, *, added: bool) -> None:
    verb = "added" if added else "removed"
    record(
        actor=request.user,
        action=f"centre.membership_{verb}_in_admin",
        summary=f"{membership.user} {verb} as {membership.get_role_display()} at {membership.centre} by the site "
        "operator (Django admin)",
        subject=membership if added else ("centres.membership", membership.pk),
        centre=membership.centre_id,
        after={"user": membership.user_id, "role": membership.role} if added else None,
        before=None if added else {"user": membership.user_id, "role": membership.role},
    )


class MembershipInline(admin.TabularInline):
    """New roles may be added (audited by `CentreAdmin.save_formset`); existing ones are not rewritten."""

    model = Membership
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    extra = 0

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class AssessmentMethodInline(admin.TabularInline):
    model = AssessmentMethod
    fields = ("position", "code", "label", "needs_witness", "is_observation", "is_active")
    extra = 0


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "created_at")
    search_fields = ("name", "code")
    inlines = (AssessmentMethodInline, MembershipInline)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        """Memberships added or removed in the centre's page are audited like those of the membership page."""
        super().save_formset(request, form, formset, change)
        if formset.model is Membership:
            for added in formset.new_objects:
                _record_membership(request, added, added=True)
            for removed in formset.deleted_objects:
                _record_membership(request, removed, added=False)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Add or remove a role (a change would rewrite history: remove and add instead), audited."""

    list_display = ("user", "user_email", "role", "centre", "created_at")
    list_filter = ("role", "centre")
    search_fields = ("user__full_name", "user__email", "centre__name", "centre__code")
    list_select_related = ("user", "centre")
    autocomplete_fields = ("user", "centre")

    @admin.display(description="e-mail address", ordering="user__email")
    def user_email(self, obj: Membership) -> str:
        return obj.user.email

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Membership, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _record_membership(request, obj, added=True)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        _record_membership(request, obj, added=False)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for membership in queryset:
            _record_membership(request, membership, added=False)
        super().delete_queryset(request, queryset)


@admin.register(AssessmentMethod)
class AssessmentMethodAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "centre", "needs_witness", "is_observation", "is_active", "position")
    list_filter = ("is_active", "is_observation", "needs_witness", "centre")
    search_fields = ("code", "label", "centre__name")
    list_select_related = ("centre",)


class EnrolledSpecificationInline(admin.TabularInline):
    model = EnrolledSpecification
    fields = ("position", "specification")
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
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
    date_hierarchy = "start_date"
    inlines = (EnrolledSpecificationInline,)
