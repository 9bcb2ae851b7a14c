from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.overdue_queue, name="queue"),
    path("overview/", views.warning_overview, name="overview"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/act/", views.case_act, name="case-act"),
    path("cases/<int:pk>/close/", views.case_close, name="case-close"),
    path("cases/<int:pk>/print/", views.case_print, name="case-print"),
    path("open/<slug:subject_type>/<int:subject_id>/", views.case_open, name="case-open"),
]
