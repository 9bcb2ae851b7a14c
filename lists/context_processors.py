from django.db.models import Count, Q
from django.utils.functional import SimpleLazyObject

from organization.scoping import scope_for


def _counts(user) -> dict:
    """Items to accept and items to verify, in one indexed query."""
    from .models import ResponsibilityItem as Item

    scope = scope_for(user)
    mine = Q(assignee=user, state=Item.State.ASSIGNED)
    if scope.led_paths or scope.is_admin:
        # the verification queue's rows (items_awaiting_verification): submitted, led, not one's own
        verify = scope.led_units_q("list__unit__path") & Q(state=Item.State.SUBMITTED) & ~Q(assignee=user)
        counts = Item.objects.filter(mine | verify).aggregate(
            to_accept=Count("pk", filter=mine), to_verify=Count("pk", filter=verify)
        )
    else:
        counts = {"to_accept": Item.objects.filter(mine).count(), "to_verify": 0}
    counts["my_work"] = counts["to_accept"]
    counts["total"] = counts["to_accept"] + counts["to_verify"]
    return counts


def nav_counts(request):
    """``nav_counts``: the menu's badges (items to accept, items to verify), counted when drawn."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_counts": {}}
    return {"nav_counts": SimpleLazyObject(lambda: _counts(user))}
