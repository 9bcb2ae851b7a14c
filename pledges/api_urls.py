from rest_framework.routers import SimpleRouter

from .apis import PledgeViewSet

router = SimpleRouter()
router.register("pledges", PledgeViewSet, basename="pledge")

urlpatterns = router.urls
