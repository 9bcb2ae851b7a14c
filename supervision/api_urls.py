from django.urls import path
from rest_framework.routers import SimpleRouter

from . import apis

router = SimpleRouter()
router.register("supervision-cases", apis.SupervisionCaseViewSet, basename="supervision-case")

urlpatterns = [
    path("supervision/overdue/", apis.OverdueQueueApi.as_view(), name="api-overdue-queue"),
    *router.urls,
]
