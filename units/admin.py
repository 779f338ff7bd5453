"""The catalogue in the Django admin: readable everywhere, changed only by importing a new version."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from units.models import Criterion, Definition, Group, Guidance, IndicativeContent, RangeItem, Specification


class ReadOnlyMixin:
    """Imported specification versions are immutable; add and change are refused, deletion is allowed."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class GroupInline(ReadOnlyMixin, admin.TabularInline):
    model = Group
    fields = ("position", "number", "title", "kind")
    show_change_link = True


class DefinitionInline(ReadOnlyMixin, admin.TabularInline):
    model = Definition
    fields = ("position", "heading", "term", "text")


class GuidanceInline(ReadOnlyMixin, admin.TabularInline):
    model = Guidance
    fields = ("position", "title")
    show_change_link = True


@admin.register(Specification)
class SpecificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("code", "title", "kind", "version", "level", "credits", "imported_at")
    list_filter = ("kind",)
    search_fields = ("code", "title")
    inlines = (GroupInline, DefinitionInline, GuidanceInline)


class CriterionInline(ReadOnlyMixin, admin.TabularInline):
    model = Criterion
    fields = ("position", "ref", "text")
    show_change_link = True


@admin.register(Group)
class GroupAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("__str__", "specification", "kind", "position")
    list_filter = ("kind", "specification")
    list_select_related = ("specification",)
    inlines = (CriterionInline,)


class RangeItemInline(ReadOnlyMixin, admin.TabularInline):
    model = RangeItem
    fields = ("position", "ref", "text")


class IndicativeContentInline(ReadOnlyMixin, admin.TabularInline):
    model = IndicativeContent
    fields = ("position", "term", "text")


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("ref", "text", "group", "specification")
    list_filter = ("specification",)
    list_select_related = ("specification", "group")
    search_fields = ("ref", "text")
    inlines = (RangeItemInline, IndicativeContentInline)


@admin.register(Guidance)
class GuidanceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "specification")
    list_select_related = ("specification",)


@admin.register(Definition)
class DefinitionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("term", "heading", "specification")
    list_select_related = ("specification",)
    search_fields = ("term", "text")


@admin.register(RangeItem)
class RangeItemAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("__str__", "criterion")
    list_select_related = ("criterion",)


@admin.register(IndicativeContent)
class IndicativeContentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("term", "criterion")
    list_select_related = ("criterion",)
