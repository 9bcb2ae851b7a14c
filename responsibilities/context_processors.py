from django.utils.functional import SimpleLazyObject

from organization.scoping import scope_for


def _counts(user) -> dict:
    from .models import ResponsibilityItem as Item
    from .selectors.lists import items_awaiting_verification

    scope = scope_for(user)
    counts = {"to_accept": 0, "to_verify": 0}
    if "cadre" in scope.roles or scope.led_paths:
        counts["to_accept"] = Item.objects.filter(assignee=user, state=Item.State.ASSIGNED).count()
    if scope.led_paths or scope.is_admin:
        counts["to_verify"] = items_awaiting_verification(user).order_by().count()
    counts["my_work"] = counts["to_accept"]
    counts["total"] = counts["to_accept"] + counts["to_verify"]
    return counts


def nav_counts(request):
    """``nav_counts``: the menu's badges (items to accept, items to verify), counted when drawn."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_counts": {}}
    return {"nav_counts": SimpleLazyObject(lambda: _counts(user))}
