"""我的代理 pages, mounted at ``/delegations/``."""

from django.urls import path

from . import views

app_name = "delegations"

urlpatterns = [
    path("", views.index, name="index"),
    path("stop/", views.stop, name="stop"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    path("<int:pk>/act/", views.act, name="act"),
]
