from django.contrib.auth import views as auth_views
from django.urls import path

from . import office_views, policy_views, views

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
    path("office/units/", office_views.office_units, name="office_units"),
    path("office/units/<int:pk>/", office_views.office_unit, name="office_unit"),
    path("office/units/<int:pk>/delete/", office_views.office_unit_delete, name="office_unit_delete"),
    path("office/templates/", office_views.office_templates, name="office_templates"),
    path("office/templates/<int:pk>/", office_views.office_template, name="office_template"),
    path("office/templates/<int:pk>/<str:action>/", office_views.office_template_action, name="office_template_action"),
    path("office/calendar/", office_views.office_calendar, name="office_calendar"),
    path("office/calendar/<int:pk>/remove/", office_views.office_calendar_remove, name="office_calendar_remove"),
    path("office/jurisdictions/", office_views.office_jurisdictions, name="office_jurisdictions"),
    path("office/jurisdictions/<int:pk>/", office_views.office_jurisdiction, name="office_jurisdiction"),
    path(
        "office/jurisdictions/<int:pk>/remove/",
        office_views.office_jurisdiction_remove,
        name="office_jurisdiction_remove",
    ),
    path("office/import/", office_views.office_import, name="office_import"),
    path("office/import/template.xlsx", office_views.office_import_template, name="office_import_template"),
    path("office/policies/", policy_views.office_policies_page, name="office_policies"),
    path("office/policies/edit/", policy_views.office_policy_edit, name="office_policy_edit"),
    path("office/policies/<int:pk>/remove/", policy_views.office_policy_remove, name="office_policy_remove"),
]
