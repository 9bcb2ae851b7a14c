"""Party-life pages, mounted at ``/party/``."""

from django.urls import path

from . import showcase_views, staff_views, views

app_name = "partylife"

urlpatterns = [
    path("", views.activity_index, name="activity-index"),
    path("activities/new/", views.activity_new, name="activity-new"),
    path("activities/<int:pk>/", views.activity_detail_page, name="activity-detail"),
    path("activities/<int:pk>/check-in/", views.activity_check_in, name="activity-check-in"),
    path("activities/<int:pk>/record/", views.activity_record, name="activity-record"),
    path("activities/<int:pk>/cancel/", views.activity_cancel, name="activity-cancel"),
    path("activities/<int:pk>/makeup/", views.activity_makeup, name="activity-makeup"),
    path("visits/", views.visit_index, name="visit-index"),
    path("visits/coverage/", views.visit_coverage_page, name="visit-coverage"),
    path("showcase/", showcase_views.showcase, name="showcase"),
    path("workers/", staff_views.worker_index, name="worker-index"),
    path("workers/<int:pk>/", staff_views.worker_detail, name="worker-detail"),
    path("obligations/", views.obligation_index, name="obligation-index"),
    path("findings/", views.finding_index, name="finding-index"),
    path("findings/<int:pk>/", views.finding_detail, name="finding-detail"),
    path("findings/<int:pk>/<slug:name>/", views.finding_decide, name="finding-decide"),
]
