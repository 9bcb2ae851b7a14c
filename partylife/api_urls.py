from django.urls import path
from rest_framework.routers import SimpleRouter

from . import apis

router = SimpleRouter()
router.register("activities", apis.ActivityViewSet, basename="activity")
router.register("visits", apis.VisitViewSet, basename="visit")
router.register("activity-obligations", apis.FrequencyObligationViewSet, basename="activity-obligation")
router.register("showcase-posts", apis.ShowcasePostViewSet, basename="showcase-post")
router.register("honours", apis.HonourViewSet, basename="honour")
router.register("brands", apis.BrandViewSet, basename="brand")
router.register("findings", apis.FindingViewSet, basename="finding")

urlpatterns = [
    path("reports/visits/", apis.VisitCoverageView.as_view(), name="reports-visits"),
    *router.urls,
]
