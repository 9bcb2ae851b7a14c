from django.urls import path

from . import views

app_name = "issues"

urlpatterns = [
    path("", views.issue_list, name="issue-list"),
    path("new/", views.issue_register, name="issue-register"),
    path("dispatch/", views.dispatch_board, name="issue-dispatch-board"),
    path("mine/", views.my_orders, name="issue-mine"),
    path("follow-ups/", views.follow_ups, name="issue-follow-ups"),
    path("places/", views.places, name="issue-places"),
    path("<int:pk>/", views.issue_detail, name="issue-detail"),
    path("<int:pk>/transitions/<slug:name>/", views.issue_transition, name="issue-transition"),
    path("<int:pk>/photos/", views.photo_upload, name="issue-photo-upload"),
    path("photos/<int:pk>/", views.photo, name="issue-photo"),
]
