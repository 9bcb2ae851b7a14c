from django.urls import include, path

from . import views

app_name = "responsibilities"

urlpatterns = [
    path("items/<int:pk>/", views.item_detail, name="item-detail"),
    path("issues/", include("responsibilities.issue_urls")),
]
