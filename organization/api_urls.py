from django.urls import path

from . import apis

urlpatterns = [
    path("auth/token/", apis.TokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", apis.TokenRevokeView.as_view(), name="api-token-revoke"),
    path("me/", apis.MeView.as_view(), name="api-me"),
]
