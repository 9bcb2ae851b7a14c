from django.urls import path

from . import apis

urlpatterns = [
    path("notifications/", apis.NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/read-all/", apis.NotificationReadAllApi.as_view(), name="api-notifications-read-all"),
    path("notifications/<int:pk>/read/", apis.NotificationReadApi.as_view(), name="api-notification-read"),
]
