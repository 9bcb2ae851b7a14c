from django.urls import include, path  # noqa: F401
from rest_framework.routers import SimpleRouter

urlpatterns: list = []

# Livelihood issues (民生问题 work orders)
from .issue_apis import LivelihoodIssueViewSet  # noqa: E402

_issue_router = SimpleRouter()
_issue_router.register("livelihood-issues", LivelihoodIssueViewSet, basename="livelihood-issue")
urlpatterns += _issue_router.urls
