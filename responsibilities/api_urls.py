from django.urls import path  # noqa: F401
from rest_framework.routers import SimpleRouter

urlpatterns: list = []

# -- pledges (承诺践诺) --
from .pledge_apis import PledgeViewSet  # noqa: E402

_pledge_router = SimpleRouter()
_pledge_router.register("pledges", PledgeViewSet, basename="pledge")
urlpatterns += _pledge_router.urls
# -- end pledges --
