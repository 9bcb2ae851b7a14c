from django.urls import path

from . import views

app_name = "connect"

urlpatterns = [
    path("office/connect/", views.office_connect, name="office"),
    path("office/connect/links/", views.office_link, name="office-link"),
    path("office/connect/links/<int:pk>/remove/", views.office_unlink, name="office-unlink"),
    path("connect/me/", views.my_links, name="me"),
    path("connect/<str:provider>/<int:township>/start/", views.start, name="start"),
    path("connect/<str:provider>/callback/", views.callback, name="callback"),
]
