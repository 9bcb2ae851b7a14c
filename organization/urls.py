from django.contrib.auth import views as auth_views
from django.urls import path

from . import policy_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("office/", views.office_home, name="office_home"),
    path("office/people/", views.office_people, name="office_people"),
    path("office/people/<int:pk>/", views.office_person, name="office_person"),
    path(
        "office/people/<int:pk>/<str:action>/",
        views.office_person_action,
        name="office_person_action",
    ),
    path("office/memberships/<int:pk>/remove/", views.office_membership_remove, name="office_membership_remove"),
    path("office/pairings/", views.office_pairings, name="office_pairings"),
    path("office/pairings/<int:pk>/remove/", views.office_pairing_remove, name="office_pairing_remove"),
    path("office/changes/", views.office_changes, name="office_changes"),
    path("office/policies/", policy_views.office_policies_page, name="office_policies"),
    path("office/policies/edit/", policy_views.office_policy_edit, name="office_policy_edit"),
    path("office/policies/<int:pk>/remove/", policy_views.office_policy_remove, name="office_policy_remove"),
]
