"""The user's notifications: the list, and marking them read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.notifications import notifications_mark_read


@login_required
def notification_list(request):
    notifications = request.user.notifications.order_by("-created_at", "-pk")
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    unread = sum(1 for n in page if n.read_at is None)
    return render(request, "accounts/notifications.html", {"page": page, "unread_on_page": unread})


@login_required
@require_POST
def notification_read(request, pk):
    """Mark one notification read, then open what it points at (a path in this app only)."""
    notification = get_object_or_404(request.user.notifications, pk=pk)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    target = notification.link
    if request.POST.get("open") and target and _is_local(request, target):
        return redirect(target)
    return redirect("notifications")


@login_required
@require_POST
def notification_read_all(request):
    notifications_mark_read(user=request.user)
    return redirect("notifications")


def _is_local(request, url: str) -> bool:
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})
