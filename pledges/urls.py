"""Pledge pages, mounted at ``/lists/pledges/``."""

from django.urls import path

from . import views

app_name = "pledges"

urlpatterns = [
    path("", views.my_pledges, name="pledge-mine"),
    path("review/", views.pledge_review, name="pledge-review"),
    path("boards/", views.board_index, name="pledge-boards"),
    path("boards/<int:unit_pk>/", views.board, name="pledge-board"),
    path("boards/<int:unit_pk>/export.xlsx", views.board_export, name="pledge-board-export"),
    path("<int:pk>/", views.pledge_detail, name="pledge-detail"),
    path("<int:pk>/edit/", views.pledge_edit, name="pledge-edit"),
    path("<int:pk>/transitions/<slug:name>/", views.pledge_transition, name="pledge-transition"),
    path("<int:pk>/checks/", views.pledge_check, name="pledge-check"),
    path("<int:pk>/evaluations/", views.pledge_evaluate, name="pledge-evaluate"),
]
