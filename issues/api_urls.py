from rest_framework.routers import SimpleRouter

from .apis import LivelihoodIssueViewSet

router = SimpleRouter()
router.register("livelihood-issues", LivelihoodIssueViewSet, basename="livelihood-issue")

urlpatterns = router.urls
