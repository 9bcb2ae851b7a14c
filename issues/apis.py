"""``/api/v1/livelihood-issues/``: work orders, their transitions, history and photos."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from workflows.api import TransitionViewSetMixin

from . import services
from .models import LivelihoodIssue
from .selectors import issues_visible_to
from .serializers import (
    TRANSITION_INPUTS,
    IssueDetailSerializer,
    IssuePhotoSerializer,
    IssueSerializer,
    PhotoUploadSerializer,
)

Issue = LivelihoodIssue


class IssueFilter(filters.FilterSet):
    handler = filters.CharFilter(method="filter_handler")
    overdue = filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Issue
        fields = ["state", "category", "urgency", "source", "place_unit", "unit", "warning_level"]

    def filter_handler(self, queryset, name, value):
        if value == "me":
            return queryset.filter(handler=self.request.user)
        return queryset.filter(handler_id=value) if value.isascii() and value.isdigit() else queryset.none()

    def filter_overdue(self, queryset, name, value):
        from django.utils import timezone

        q = {"state__in": Issue.CLOCK_STATES, "due_at__lt": timezone.now()}
        return queryset.filter(**q) if value else queryset.exclude(**q)


class LivelihoodIssueViewSet(
    TransitionViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    filterset_class = IssueFilter
    transition_inputs = TRANSITION_INPUTS

    def get_queryset(self):
        return issues_visible_to(self.request.user).order_by("-reported_at", "-pk")

    def get_serializer_class(self):
        return IssueDetailSerializer if self.action != "list" else IssueSerializer

    def perform_create(self, serializer):
        from organization.scoping import scope_for

        scope = scope_for(self.request.user)
        if not (scope.has_role("cadre") or scope.has_role("leader") or scope.is_admin):
            raise PermissionDenied("Only cadres and leaders register livelihood issues.")
        data = dict(serializer.validated_data)
        place_unit, place_text = data.pop("place")
        serializer.instance = services.issue_register(
            actor=self.request.user, place_unit=place_unit, place_text=place_text, **data
        )

    def perform_transition(self, obj, name, actor, data):
        comment = data.pop("comment", "")
        if name == "answer":
            return services.issue_answer(issue=obj, actor=actor, result=data["result"], comment=comment)
        if name == "dispatch":
            return services.issue_dispatch(
                issue=obj,
                actor=actor,
                handler=data["handler"],
                unit=data["unit"],
                co_units=data.get("co_units", []),
                comment=comment,
            )
        if name == "accept":
            return services.issue_accept(issue=obj, actor=actor, comment=comment)
        if name == "reject":
            return services.issue_reject(issue=obj, actor=actor, reason=data["reason"], comment=comment)
        if name == "report_progress":
            return services.issue_report_progress(issue=obj, actor=actor, text=data["text"], comment=comment)
        if name == "resolve":
            return services.issue_resolve(issue=obj, actor=actor, comment=comment, **data)
        if name == "follow_up":
            return services.issue_follow_up(issue=obj, actor=actor, comment=comment, **data)
        if name == "reopen":
            return services.issue_reopen(issue=obj, actor=actor, comment=comment)
        if name == "close":
            return services.issue_close(issue=obj, actor=actor, reason=data["reason"], comment=comment)
        if name == "cancel":
            return services.issue_cancel(issue=obj, actor=actor, reason=data["reason"], comment=comment)
        raise NotImplementedError(name)

    @action(
        detail=True,
        methods=["get", "post"],
        url_path="photos",
        parser_classes=[MultiPartParser, FormParser],
        serializer_class=PhotoUploadSerializer,
        pagination_class=None,
        filter_backends=[],
    )
    def photos(self, request, pk=None):
        """List photos, or upload one (the registrar, the handler or a dispatcher; open orders)."""
        issue = self.get_object()
        if request.method == "GET":
            return Response(IssuePhotoSerializer(issue.photos.all(), many=True).data)
        if not may_add_photo(issue, request.user):
            raise PermissionDenied("You may not add photos to this work order.")
        serializer = PhotoUploadSerializer(data=request.data, context={})
        serializer.is_valid(raise_exception=True)
        photo = services.issue_add_photo(
            issue=issue,
            actor=request.user,
            upload=serializer.validated_data["file"],
            content_type=serializer.context["content_type"],
        )
        return Response(IssuePhotoSerializer(photo).data, status=status.HTTP_201_CREATED)


def may_add_photo(issue: Issue, user) -> bool:
    from .models import can_dispatch

    if issue.state in (Issue.State.CLOSED, Issue.State.CANCELLED):
        return False
    return user.pk in (issue.registered_by_id, issue.handler_id) or can_dispatch(user, issue)


def get_issue_or_404(user, pk):
    return get_object_or_404(issues_visible_to(user), pk=pk)
