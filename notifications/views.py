from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import PreferenceForm


@login_required
def inbox(request):
    page = Paginator(selectors.notifications_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request, pk: int):
    notification = get_object_or_404(selectors.notifications_for(request.user), pk=pk)
    services.notification_mark_read(notification=notification, user=request.user)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = services.notification_mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    preference = services.preference_for(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Preferences saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
