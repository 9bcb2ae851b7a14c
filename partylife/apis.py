"""The ``activities/``, ``visits/`` and ``findings/`` API (API.md)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from organization.scoping import scope_for
from workflows.api import ReasonInputSerializer, TransitionViewSetMixin, run_service_mapping_errors

from . import services, showcases
from .models import Absence
from .selectors import (
    activities_visible_to,
    brands_visible_to,
    findings_visible_to,
    honours_visible_to,
    obligations_visible_to,
    showcase_posts_visible_to,
    visit_coverage,
    visits_visible_to,
)
from .serializers import (
    ActivitySerializer,
    BrandSerializer,
    CancelInputSerializer,
    FindingSerializer,
    FrequencyObligationSerializer,
    HonourSerializer,
    MakeupInputSerializer,
    PhotosInputSerializer,
    RecordInputSerializer,
    ShowcasePostSerializer,
    VisitSerializer,
)


class ActivityViewSet(
    TransitionViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Activities of organisational life: members read their units'; organisers (the branch's
    leaders, 支部委员, 党务工作者) schedule, record and cancel; members check in for themselves."""

    serializer_class = ActivitySerializer
    filterset_fields = ["state", "kind", "unit"]
    transition_inputs = {"record": RecordInputSerializer, "cancel": CancelInputSerializer}

    def get_queryset(self):
        return activities_visible_to(self.request.user).order_by("-scheduled_at", "-pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        if not scope_for(self.request.user).organises(data["unit"]):
            raise PermissionDenied(_("Only the unit's organisers schedule its activities."))
        serializer.instance = services.activity_create(
            actor=self.request.user,
            unit=data["unit"],
            kind=data["kind"],
            title=data["title"],
            scheduled_at=data["scheduled_at"],
            place=data.get("place", ""),
        )

    def perform_transition(self, obj, name, actor, data):
        comment = data.get("comment", "")
        if name == "check_in":
            return services.activity_check_in(activity=obj, actor=actor, comment=comment)
        if name == "record":
            return services.activity_record(
                activity=obj,
                actor=actor,
                minutes=data["minutes"],
                parts=data["parts"],
                absentees=data["absentees"],
                comment=comment,
                result=data.get("result", ""),
            )
        if name == "cancel":
            return services.activity_cancel(activity=obj, actor=actor, reason=data["reason"], comment=comment)
        raise NotImplementedError(name)

    @extend_schema(request={"multipart/form-data": PhotosInputSerializer}, responses=ActivitySerializer)
    @action(detail=True, methods=["post"], url_path="photos", filter_backends=[], parser_classes=[MultiPartParser])
    def photos(self, request, pk=None):
        """Photos of the activity's record (JPEG, PNG, HEIC as ``files``): its organisers."""
        activity = self.get_object()
        if not scope_for(request.user).organises(activity.unit):
            raise PermissionDenied(_("Only the unit's organisers add photos to its activities."))
        serializer = PhotosInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.photos_add(subject=activity, photos=serializer.validated_data["files"])
        return Response(self.get_serializer(self.get_queryset().get(pk=activity.pk)).data)

    @extend_schema(request=MakeupInputSerializer, responses=ActivitySerializer)
    @action(detail=True, methods=["post"], url_path="makeup", filter_backends=[])
    def makeup(self, request, pk=None):
        """补学: an absentee records their make-up study of this activity."""
        activity = self.get_object()
        absence = Absence.objects.filter(activity=activity, user=request.user).first()
        if absence is None:
            raise PermissionDenied(_("Only an absentee of this activity makes it up."))
        serializer = MakeupInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run_service_mapping_errors(
            lambda: services.activity_makeup(
                absence=absence, actor=request.user, note=serializer.validated_data["note"]
            )
        )
        return Response(self.get_serializer(activity).data)


class VisitViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """千名干部联村企 visits: a cadre logs a visit to a unit paired with their branch."""

    serializer_class = VisitSerializer
    filterset_fields = ["unit", "branch", "visitor"]

    def get_queryset(self):
        return visits_visible_to(self.request.user).order_by("-visited_on", "-pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.visit_create(
            visitor=self.request.user,
            unit=data["unit"],
            branch=data["branch"],
            visited_on=data["visited_on"],
            notes=data["notes"],
            companions=data.get("companions", ""),
            issues=data.get("issues", []),
        )

    @extend_schema(request={"multipart/form-data": PhotosInputSerializer}, responses=VisitSerializer)
    @action(detail=True, methods=["post"], url_path="photos", filter_backends=[], parser_classes=[MultiPartParser])
    def photos(self, request, pk=None):
        """Photos of the visit (JPEG, PNG, HEIC as ``files``): its visitor."""
        visit = self.get_object()
        if visit.visitor_id != request.user.pk:
            raise PermissionDenied(_("Only the visitor adds photos to a visit."))
        serializer = PhotosInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.photos_add(subject=visit, photos=serializer.validated_data["files"])
        return Response(self.get_serializer(self.get_queryset().get(pk=visit.pk)).data)


class FindingViewSet(
    TransitionViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """党风政风观察员 findings: observers and commissioners file; commissioners accept or dismiss."""

    serializer_class = FindingSerializer
    filterset_fields = ["state", "unit"]
    transition_inputs = {"dismiss": ReasonInputSerializer}

    def get_queryset(self):
        return findings_visible_to(self.request.user).order_by("-filed_at", "-pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        scope = scope_for(self.request.user)
        unit = data["unit"]
        if not (scope.is_admin or scope.oversees(unit) or any(unit.path.startswith(p) for p in scope.observed_paths)):
            raise PermissionDenied(_("Only observers and commissioners file findings about a unit they watch."))
        serializer.instance = services.finding_file(
            actor=self.request.user, unit=unit, title=data["title"], description=data["description"]
        )

    def perform_transition(self, obj, name, actor, data):
        comment = data.get("comment", "")
        if name == "accept":
            return services.finding_accept(finding=obj, actor=actor, comment=comment)
        if name == "dismiss":
            return services.finding_dismiss(finding=obj, actor=actor, reason=data["reason"], comment=comment)
        raise NotImplementedError(name)


class CoverageRowSerializer(serializers.Serializer):
    unit = serializers.DictField()
    branches = serializers.ListField(child=serializers.DictField())
    visits = serializers.IntegerField()
    visitors = serializers.ListField(child=serializers.DictField())
    last_visited_on = serializers.DateField(allow_null=True)


class MonthQuerySerializer(serializers.Serializer):
    month = serializers.RegexField(r"^(20\d\d|2100)-(0[1-9]|1[0-2])$", required=False)


class VisitCoverageView(APIView):
    """``GET /api/v1/reports/visits/?month=2026-12``: every paired unit of the caller's township."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("month", str, description="2026-12")],
        responses=CoverageRowSerializer(many=True),
    )
    def get(self, request):
        query = MonthQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise ValidationError({"month": [_("Enter a month as YYYY-MM.")]})
        month = query.validated_data.get("month")
        if not month:
            from django.utils import timezone

            month = timezone.localdate().strftime("%Y-%m")
        return Response(CoverageRowSerializer(visit_coverage(request.user, month), many=True).data)


class FrequencyObligationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """三会一课 obligations of the branches the caller reads: one per branch, kind and period,
    ``open`` until an activity of the kind is recorded in the period (then ``met``); the sweep
    keeps ``warning_level`` and ``escalation_level`` like a late item's."""

    serializer_class = FrequencyObligationSerializer
    filterset_fields = ["state", "kind", "unit", "warning_level"]

    def get_queryset(self):
        return obligations_visible_to(self.request.user).order_by("-period_start", "unit__path", "kind", "pk")


class ShowcasePostViewSet(
    TransitionViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """干事担当亮初心: members post monthly (text and photos); the branch's organisers ``nominate``
    (``reason``), the township committee ``select``s (the author is the quarter's 党员先锋)."""

    serializer_class = ShowcasePostSerializer
    filterset_fields = ["state", "unit", "month"]
    transition_inputs = {"nominate": ReasonInputSerializer}
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return showcase_posts_visible_to(self.request.user).order_by("-month", "-created_at", "-pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = showcases.showcase_post(
            actor=self.request.user, unit=data["unit"], title=data["title"], text=data["text"],
            photos=data.get("files", []),
        )  # fmt: skip

    def perform_transition(self, obj, name, actor, data):
        if name == "nominate":
            return showcases.showcase_nominate(post=obj, actor=actor, reason=data["reason"])
        if name == "select":
            return showcases.showcase_select(post=obj, actor=actor, comment=data.get("comment", ""))
        raise ValidationError({"name": [_("Unknown transition.")]})


class HonourViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Honours: from outside, recorded by the unit's organisers (and the committee); the quarter's
    党员先锋 and 先进集体, recorded by the committee. They feed the assessment's candidates."""

    serializer_class = HonourSerializer
    filterset_fields = ["kind", "unit", "member"]

    def get_queryset(self):
        return honours_visible_to(self.request.user).order_by("-awarded_on", "-pk")

    def perform_create(self, serializer):
        from .models import Honour, selects_for

        data = serializer.validated_data
        user, unit = self.request.user, data["unit"]
        kind = data.get("kind", Honour.Kind.OUTSIDE)
        allowed = selects_for(user, unit) or (kind == Honour.Kind.OUTSIDE and scope_for(user).organises(unit))
        if not allowed:
            raise PermissionDenied(_("Only the unit's organisers record honours; the committee selects."))
        serializer.instance = showcases.honour_record(
            actor=user, unit=unit, title=data["title"], body=data["body"], awarded_on=data["awarded_on"],
            member=data.get("member"), kind=kind,
        )  # fmt: skip


class BrandViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """一个支部一品牌: the township's branch brands with their achievements (kept on the showcase page)."""

    serializer_class = BrandSerializer
    filterset_fields = ["unit"]

    def get_queryset(self):
        return brands_visible_to(self.request.user).order_by("unit__path")
