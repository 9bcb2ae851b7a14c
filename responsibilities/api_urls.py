from django.urls import path
from rest_framework.routers import SimpleRouter

from . import apis
from .issue_apis import LivelihoodIssueViewSet
from .pledge_apis import PledgeViewSet

router = SimpleRouter()
router.register("lists", apis.ListViewSet, basename="api-list")
router.register("items", apis.ItemViewSet, basename="api-item")
router.register("extensions", apis.ExtensionViewSet, basename="api-extension")
router.register("pledges", PledgeViewSet, basename="pledge")
router.register("livelihood-issues", LivelihoodIssueViewSet, basename="livelihood-issue")

urlpatterns = [
    path("inbox/", apis.InboxView.as_view(), name="api-inbox"),
    path("inbox/done/", apis.DoneView.as_view(), name="api-inbox-done"),
    *router.urls,
]
