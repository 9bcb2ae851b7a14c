from .selectors import unread_count_of_request


def unread_notifications(request):
    """``unread_notifications``: the header badge's count (one indexed COUNT per page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": unread_count_of_request(request)}
