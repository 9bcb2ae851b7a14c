from django.urls import path
from rest_framework.routers import SimpleRouter

from . import apis

router = SimpleRouter()
router.register("lists", apis.ListViewSet, basename="api-list")
router.register("items", apis.ItemViewSet, basename="api-item")
router.register("extensions", apis.ExtensionViewSet, basename="api-extension")

urlpatterns = [
    path("inbox/", apis.InboxView.as_view(), name="api-inbox"),
    *router.urls,
]
