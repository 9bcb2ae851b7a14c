from django.urls import path

from . import views

app_name = "responsibilities"

urlpatterns = [
    path("items/<int:pk>/", views.item_detail, name="item-detail"),
]
