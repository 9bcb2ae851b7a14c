from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from workflows.api import TransitionViewSetMixin, run_service_mapping_errors
from workflows.sweep import get_target

from . import selectors, services
from .serializers import (
    ActInputSerializer,
    CaseCloseInputSerializer,
    CaseCreateSerializer,
    QueueFilterSerializer,
    QueueRowSerializer,
    SupervisionCaseSerializer,
)


class OverdueQueueApi(GenericAPIView):
    """The caller's overdue queue (commissioners: their jurisdiction; observers: read-only)."""

    serializer_class = QueueRowSerializer
    filter_backends: list = []

    @extend_schema(parameters=[QueueFilterSerializer], responses=QueueRowSerializer(many=True))
    def get(self, request):
        if not selectors.may_supervise(request.user):
            raise PermissionDenied("Only discipline commissioners and observers have an overdue queue.")
        params = QueueFilterSerializer(data=request.query_params, context={"request": request})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        target = get_target(data["subject_type"])
        filters = selectors.QueueFilters(
            unit=data.get("unit"), lead_leader_id=data.get("lead_leader"), min_days_overdue=data.get("days_overdue")
        )
        page = self.paginate_queryset(selectors.overdue_queue(request.user, target, filters))
        rows = selectors.queue_rows(target, page)
        return self.get_paginated_response(QueueRowSerializer(rows, many=True).data)


class SupervisionCaseViewSet(
    TransitionViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """督办 cases: commissioners open, act and close; observers and leaders read."""

    serializer_class = SupervisionCaseSerializer
    filterset_fields = ["state", "subject_type", "unit"]
    transition_inputs = {"act": ActInputSerializer, "close": CaseCloseInputSerializer}

    def get_queryset(self):
        return selectors.cases_visible_to(self.request.user).prefetch_related("actions__actor")

    @extend_schema(request=CaseCreateSerializer, responses={201: SupervisionCaseSerializer})
    def create(self, request, *args, **kwargs):
        if not selectors.is_commissioner(request.user):
            raise PermissionDenied("Only discipline commissioners open supervision cases.")
        serializer = CaseCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = run_service_mapping_errors(
            lambda: services.case_open(subject=data["subject"], reason=data["reason"], actor=request.user)
        )
        return Response(self.get_serializer(case).data, status=status.HTTP_201_CREATED)

    def perform_transition(self, obj, name, actor, data):
        if name == "act":
            return services.case_act(
                case=obj, actor=actor, action=data["action"], note=data["note"], comment=data.get("comment", "")
            )
        if name == "close":
            return services.case_close(
                case=obj, actor=actor, conclusion=data["conclusion"], comment=data.get("comment", "")
            )
        raise NotImplementedError(name)
