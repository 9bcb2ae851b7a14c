"""The project's URLs plus ``/bench/ping/``: the ceiling of the load benchmark (no database, no auth)."""

from django.http import JsonResponse
from django.urls import path

from config.urls import handler404
from config.urls import urlpatterns as project_urlpatterns

__all__ = ["handler404", "urlpatterns"]


def ping(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bench/ping/", ping), *project_urlpatterns]
