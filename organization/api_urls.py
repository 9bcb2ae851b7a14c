from django.urls import path

from . import apis

urlpatterns = [
    path("auth/token/", apis.TokenView.as_view(), name="api-token"),
    path("me/", apis.MeView.as_view(), name="api-me"),
]
