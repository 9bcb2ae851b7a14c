from django.urls import path

from . import apis

urlpatterns = [
    path("search/", apis.SearchView.as_view(), name="api-search"),
]
