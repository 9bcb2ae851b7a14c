"""我的代理: name or revoke one's stand-in; a stand-in opens the person's steps (acting for them)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflows.engine import TransitionError, timeline

from . import services
from .forms import DelegationForm
from .selectors import delegations_in_force_for, delegations_visible_to

#: the session key holding the delegation a stand-in acts under on the pages
ACTING_SESSION_KEY = "dutyflow_acting_delegation"


def act_url(delegation_id: int, url: str) -> str:
    """The link that opens ``url`` as the stand-in of ``delegation_id``'s person."""
    return f"{reverse('delegations:act', args=[delegation_id])}?{urlencode({'next': url})}"


@login_required
def index(request):
    user = request.user
    form = DelegationForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.delegation_create(delegator=user, **form.cleaned_data)
        except TransitionError as exc:
            form.add_error("starts_on", str(exc))
        else:
            messages.success(request, _("Stand-in named; they were told."))
            return redirect("delegations:index")
    visible = delegations_visible_to(user)
    return render(
        request,
        "delegations/index.html",
        {
            "form": form,
            "given": visible.filter(delegator_id=user.pk),
            "received": visible.filter(delegate_id=user.pk),
            "in_force_ids": {d.pk for d in delegations_in_force_for(user)},
        },
        status=400 if form.errors else 200,
    )


@login_required
def detail(request, pk):
    delegation = get_object_or_404(delegations_visible_to(request.user), pk=pk)
    return render(request, "delegations/detail.html", {"delegation": delegation, "history": timeline(delegation)})


@login_required
@require_POST
def revoke(request, pk):
    delegation = get_object_or_404(delegations_visible_to(request.user), pk=pk)
    if delegation.delegator_id != request.user.pk and not request.user.is_superuser:
        raise PermissionDenied
    try:
        services.delegation_revoke(delegation=delegation, actor=request.user, comment=request.POST.get("comment", ""))
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Stand-in revoked."))
    return redirect("delegations:index")


@login_required
def act(request, pk):
    """Open the person's pages as their stand-in (until 结束代办); ``next`` is where to go."""
    delegation = next((d for d in delegations_in_force_for(request.user) if d.pk == int(pk)), None)
    if delegation is None:
        raise PermissionDenied
    request.session[ACTING_SESSION_KEY] = delegation.pk
    target = request.GET.get("next") or reverse("lists:inbox")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = reverse("lists:inbox")
    return redirect(target)


@login_required
@require_POST
def stop(request):
    request.session.pop(ACTING_SESSION_KEY, None)
    return redirect("delegations:index")
