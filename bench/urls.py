"""The project's URLs plus ``/bench/ping/``, the ceiling of the load benchmark (no database, no
auth, kept as context), ``/bench/floor/orm|sql/…``, the least a logged transition costs in this stack
(bench/floor.py), and ``/bench/floor/read/<name>/…``, each read's rows by one SQL statement
(bench/read_floors.py)."""

from django.http import JsonResponse
from django.urls import path

from config.urls import handler404
from config.urls import urlpatterns as project_urlpatterns

from .floor import FloorOrm, FloorSql
from .read_floors import FLOORS

__all__ = ["handler404", "urlpatterns"]


def ping(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("bench/ping/", ping),
    path("bench/floor/orm/<int:pk>/", FloorOrm.as_view()),
    path("bench/floor/sql/<int:pk>/", FloorSql.as_view()),
    *(path(f"bench/floor/read/{name}/", view.as_view()) for name, view in FLOORS.items()),
    *(path(f"bench/floor/read/{name}/<int:pk>/", view.as_view()) for name, view in FLOORS.items()),
    *project_urlpatterns,
]
