"""Pages of the list and item flows (included from responsibilities/urls.py)."""

from django.urls import path

from . import flow_views

urlpatterns = [
    path("inbox/", flow_views.inbox, name="inbox"),
    path("inbox/done/", flow_views.inbox_done, name="inbox-done"),
]
