from rest_framework.routers import SimpleRouter

from . import apis

router = SimpleRouter()
router.register("lists", apis.ListViewSet, basename="api-list")
router.register("items", apis.ItemViewSet, basename="api-item")
router.register("extensions", apis.ExtensionViewSet, basename="api-extension")

urlpatterns = router.urls
