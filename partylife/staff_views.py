"""The Party-affairs staff's three steps (三步走): one page per worker (training, rotation, the
month's list), and the township's view of who missed their training or rotation this year."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from organization.models import Membership
from organization.scoping import scope_for

from .models import Rotation
from .selectors import party_workers, three_steps, workers_missing


def _year(request) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year


@login_required
def worker_index(request):
    """Who missed their training or rotation this year: the office and the township's leaders."""
    scope = scope_for(request.user)
    if not (scope.is_admin or scope.office_paths or any(p.count("/") == 2 for p in scope.led_paths)):
        raise PermissionDenied
    year = _year(request)
    rows = workers_missing(list(party_workers(request.user)[:500]), year=year)
    missed = [r for r in rows if not (r["trained"] and r["rotated"])]
    return render(request, "partylife/worker_index.html", {"rows": rows, "missed": missed, "year": year})


def _worker_unit(worker):
    membership = (
        Membership.objects.filter(user=worker, role=Membership.Role.PARTY_WORKER).select_related("unit").first()
    )
    return membership.unit if membership else None


@login_required
def worker_detail(request, pk: int):
    """三步走 of one worker: the worker, their branch's organisers and leaders, the office."""
    worker = get_object_or_404(party_workers(request.user), pk=pk)
    unit = _worker_unit(worker)
    scope = scope_for(request.user)
    # The office and the branch's organisers record rotations; a worker never their own.
    may_record = request.user.pk != worker.pk and (
        scope.is_admin or scope.administers_in(unit.path) or scope.organises(unit)
    )
    if request.user.pk != worker.pk and not (may_record or scope.can_read_unit(unit)):
        raise Http404
    errs: dict[str, list[str]] = {}
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        fields = {name: request.POST.get(name, "").strip() for name in ("from_post", "to_post", "report")}
        errs = {name: [_("This field is required.")] for name, value in fields.items() if not value}
        starts_on = parse_date(request.POST.get("starts_on", "") or "")
        months = request.POST.get("months", "")
        if starts_on is None:
            errs["starts_on"] = [_("Enter a valid date.")]
        if not months.isdigit() or not 1 <= int(months) <= 36:
            errs["months"] = [_("Between 1 and 36 months.")]
        if not errs:
            Rotation.objects.create(
                worker=worker, unit=unit, starts_on=starts_on, months=int(months), recorded_by=request.user, **fields
            )
            messages.success(request, _("The rotation was recorded."))
            return redirect("partylife:worker-detail", pk=pk)
    year = _year(request)
    today = timezone.localdate()
    context = {
        "worker": worker,
        "unit": unit,
        "year": year,
        "may_record": may_record,
        "errs": errs,
        **three_steps(worker, viewer=request.user, year=year, month=today),
    }
    return render(request, "partylife/worker_detail.html", context, status=400 if errs else 200)
