from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .health import broker_status
from .models import Membership
from .scoping import scope_for


@never_cache
def healthz(request):
    """Liveness and dependencies. Always 200 while the database answers; the broker may be down."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - any database failure is reported, not raised
        database = "unavailable"
    status = "ok" if database == "ok" else "unavailable"
    return JsonResponse(
        {"status": status, "database": database, "broker": broker_status()},
        status=200 if database == "ok" else 503,
    )


@login_required
def home(request):
    """Each role's starting point: the work waiting for them."""
    scope = scope_for(request.user)
    memberships = Membership.objects.filter(user=request.user).select_related("unit").order_by("unit__path")
    return render(request, "organization/home.html", {"scope": scope, "memberships": memberships})
