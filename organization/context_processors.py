from .scoping import scope_for


def scope(request):
    user = getattr(request, "user", None)
    return {"user_scope": scope_for(user) if user is not None else None}
