from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import Notification
from .serializers import (
    NOTIFICATION_ROW_COLUMNS,
    NotificationSerializer,
    ReadAllResultSerializer,
    notification_representations,
)


class NotificationListApi(generics.ListAPIView):
    """The caller's own notifications, newest first (``?unread=true`` for unread only)."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Notification.objects.none()
        queryset = selectors.notifications_for(self.request.user).select_related("subject_type")
        if self.request.query_params.get("unread") in ("1", "true"):
            queryset = queryset.filter(read_at__isnull=True)
        return queryset

    def list(self, request, *args, **kwargs):
        # The page as plain rows, with the serializer's JSON (notification_representations).
        page = self.paginate_queryset(self.get_queryset().values(*NOTIFICATION_ROW_COLUMNS))
        return self.get_paginated_response(notification_representations(page))


class NotificationReadApi(APIView):
    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request, pk: int):
        # Another user's notification is outside the caller's scope: 404, not 403.
        notification = get_object_or_404(selectors.notifications_for(request.user), pk=pk)
        notification = services.notification_mark_read(notification=notification, user=request.user)
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllApi(APIView):
    @extend_schema(request=None, responses=ReadAllResultSerializer)
    def post(self, request):
        return Response({"marked": services.notification_mark_all_read(user=request.user)})
