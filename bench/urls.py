"""The project's URLs plus ``/bench/ping/``, the ceiling of the load benchmark (no database, no
auth), and ``/bench/floor/…``, the least a logged transition costs in this stack (bench/floor.py)."""

from django.http import JsonResponse
from django.urls import path

from config.urls import handler404
from config.urls import urlpatterns as project_urlpatterns

from .floor import FloorOrm, FloorSql

__all__ = ["handler404", "urlpatterns"]


def ping(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("bench/ping/", ping),
    path("bench/floor/orm/<int:pk>/", FloorOrm.as_view()),
    path("bench/floor/sql/<int:pk>/", FloorSql.as_view()),
    *project_urlpatterns,
]
