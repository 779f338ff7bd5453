"""The person's own notifications: the list, marking them read, and opening one where it leads."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.http import AuthenticatedRequest, read_or_404
from notifications import selectors, services
from notifications.models import Notification, is_local_path
from notifications.permissions import can_view_notification

PER_PAGE = 25


def _own_notification(request: AuthenticatedRequest, pk: int) -> Notification:
    """The person's own notification; 404 for anyone else's, so its existence is not revealed."""
    return read_or_404(
        request.user, Notification.objects.all(), pk, can_view_notification, what="notification"
    )


def _render_list(request: AuthenticatedRequest, page_number: str | int | None) -> HttpResponse:
    page = Paginator(selectors.notifications_for(user=request.user), PER_PAGE).get_page(page_number)
    template = "notifications/list.html#items" if request.htmx else "notifications/list.html"
    return render(request, template, {"page": page})


@require_GET
@vary_on_headers("HX-Request")
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    """The person's notifications, newest first, unread ones marked; htmx asks for the list alone."""
    return _render_list(request, request.GET.get("page"))


@require_POST
@vary_on_headers("HX-Request")
def mark_all_read(request: AuthenticatedRequest) -> HttpResponse:
    changed = services.mark_all_read(user=request.user)
    messages.success(
        request,
        f"Marked {changed} notification{'s' if changed != 1 else ''} read."
        if changed
        else "Nothing was unread.",
    )
    if request.htmx:
        return _render_list(request, 1)
    return redirect("notifications:list")


@require_GET
def open_notification(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go where it leads, only ever to a path on this site."""
    notification = services.mark_read(user=request.user, notification=_own_notification(request, pk))
    if notification.url and is_local_path(notification.url):
        return HttpResponseRedirect(notification.url)
    return redirect("notifications:list")
