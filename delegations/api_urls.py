from rest_framework.routers import SimpleRouter

from . import apis

router = SimpleRouter()
router.register("delegations", apis.DelegationViewSet, basename="delegation")

urlpatterns = router.urls
