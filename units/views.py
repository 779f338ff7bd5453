from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from accounts.http import AuthenticatedRequest, read_or_404
from units import selectors
from units.permissions import (
    can_view_catalogue,
    can_view_group,
    can_view_marking_points,
    can_view_specification,
)


def _check_catalogue(request: AuthenticatedRequest) -> None:
    if not can_view_catalogue(request.user):
        raise PermissionDenied


@require_GET
@vary_on_headers("HX-Request")
def specification_list(request: AuthenticatedRequest) -> HttpResponse:
    _check_catalogue(request)
    query = request.GET.get("q", "")
    template = "units/specification_list.html"
    return render(
        request,
        f"{template}#results" if request.htmx else template,
        {"specifications": selectors.specification_list(query=query), "query": query},
    )


@require_GET
def specification_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _check_catalogue(request)
    specification = read_or_404(
        request.user, selectors.specification_detail(), pk, can_view_specification, what="specification"
    )
    open_param = request.GET.getlist("open")
    groups = list(specification.groups.all())
    open_all = "all" in open_param
    open_groups = {group.pk for group in groups if open_all or str(group.pk) in open_param}
    return render(
        request,
        "units/specification_detail.html",
        {
            "specification": specification,
            "groups": [(group, group.pk in open_groups) for group in groups],
            "all_open": len(open_groups) == len(groups),
            "whole_guidance": [item for item in specification.guidance.all() if not item.groups.all()],
            "show_marking_points": can_view_marking_points(request.user),
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def group_detail(request: AuthenticatedRequest, pk: int, group_pk: int) -> HttpResponse:
    """One group, expanded or collapsed: a partial for htmx, otherwise back to the page with it open."""
    _check_catalogue(request)
    expanded = request.GET.get("expanded") != "0"
    if not request.htmx:
        url = reverse("units:specification_detail", args=[pk])
        return redirect(f"{url}?open={group_pk}#group-{group_pk}" if expanded else f"{url}#group-{group_pk}")
    group = read_or_404(
        request.user, selectors.group_detail(specification_pk=pk), group_pk, can_view_group, what="group"
    )
    return render(
        request,
        "units/specification_detail.html#group",
        {
            "specification": group.specification,
            "group": group,
            "expanded": expanded,
            "show_marking_points": can_view_marking_points(request.user),
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def criterion_search(request: AuthenticatedRequest) -> HttpResponse:
    _check_catalogue(request)
    query = request.GET.get("q", "")
    template = "units/criterion_search.html"
    return render(
        request,
        f"{template}#results" if request.htmx else template,
        {
            "query": query,
            "criteria": selectors.search_criteria(query=query),
            "limit": selectors.CRITERION_SEARCH_LIMIT,
        },
    )
