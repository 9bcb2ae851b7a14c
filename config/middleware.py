"""Our own error pages, also when DEBUG is on (``make run``)."""

from django.conf import settings
from django.shortcuts import render


class FriendlyNotFoundMiddleware:
    """With DEBUG on, Django answers a missing page with its English technical page (the URL
    patterns of the whole site). People trying the demo see ours instead; the API keeps its JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path.startswith(("/api/", "/static/"))
            and not getattr(response, "is_friendly", False)
        ):
            response = render(request, "404.html", status=404)
        return response
