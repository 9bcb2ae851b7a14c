"""The ``pledges/`` API (API.md): create, read, edit a draft, transitions, history, checks, ratings."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from workflows.api import Conflict, ReasonInputSerializer, TransitionViewSetMixin, run_service_mapping_errors

from . import flows as pledge_flows
from . import services
from .models import Pledge
from .selectors import pledges_visible_to
from .serializers import (
    ClaimInputSerializer,
    PledgeCheckSerializer,
    PledgeEvaluationSerializer,
    PledgeSerializer,
)


class PledgeViewSet(
    TransitionViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Members see their own pledges; leaders their units'; commissioners and observers read in their
    jurisdiction; approved and later pledges are public to every member of the township."""

    serializer_class = PledgeSerializer
    filterset_fields = ["state", "year", "unit", "category"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    transition_inputs = {
        "return": ReasonInputSerializer,
        "claim": ClaimInputSerializer,
        "reject_claim": ReasonInputSerializer,
        "mark_unfulfilled": ReasonInputSerializer,
    }

    def get_queryset(self):
        qs = pledges_visible_to(self.request.user).order_by("-year", "unit__path", "pk")
        if self.request.query_params.get("member") == "me":
            qs = qs.filter(member=self.request.user)
        return qs

    def create(self, request, *args, **kwargs):
        if services.branch_of_member(request.user) is None:
            raise PermissionDenied(_("Only members of a Party branch make pledges."))
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = run_service_mapping_errors(
            lambda: services.pledge_create(
                member=self.request.user,
                text=data["text"],
                due_date=data["due_date"],
                category=data["category"],
                year=data["year"],
            )
        )

    def update(self, request, *args, **kwargs):
        pledge = self.get_object()
        if pledge.member_id != request.user.pk:
            raise PermissionDenied(_("Only the member edits their pledge."))
        if pledge.state != Pledge.State.DRAFT:
            raise Conflict(_("Only a draft can be edited."))
        kwargs["partial"] = True
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer):
        pledge = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.pledge_update(
            pledge=pledge,
            actor=self.request.user,
            text=data.get("text", pledge.text),
            due_date=data.get("due_date", pledge.due_date),
            category=data.get("category", pledge.category),
        )

    def perform_transition(self, obj, name, actor, data):
        comment = data.get("comment", "")
        if name == "submit":
            return pledge_flows.flow_submit(pledge=obj, actor=actor, comment=comment)
        if name in ("approve", "return"):
            return pledge_flows.flow_review(
                pledge=obj, actor=actor, approve=name == "approve", reason=data.get("reason", ""), comment=comment
            )
        if name == "claim":
            return pledge_flows.flow_claim(
                pledge=obj, actor=actor, evidence_text=data["evidence_text"], comment=comment
            )
        if name in ("confirm", "reject_claim"):
            return pledge_flows.flow_confirmation(
                pledge=obj, actor=actor, confirm=name == "confirm", reason=data.get("reason", ""), comment=comment
            )
        if name == "mark_unfulfilled":
            return pledge_flows.flow_close(
                pledge=obj, actor=actor, method="pledge_mark_unfulfilled", reason=data["reason"], comment=comment
            )
        if name == "withdraw":
            return pledge_flows.flow_close(pledge=obj, actor=actor, method="pledge_withdraw", comment=comment)
        raise NotImplementedError(name)

    @extend_schema(request=PledgeCheckSerializer, responses=PledgeCheckSerializer(many=True))
    @action(detail=True, methods=["get", "post"], url_path="checks", pagination_class=None, filter_backends=[])
    def checks(self, request, pk=None):
        """督诺: the checks recorded; POST records this period's check of a kind."""
        pledge = self.get_object()
        if request.method == "GET":
            return Response(PledgeCheckSerializer(pledge.checks.select_related("checked_by"), many=True).data)
        serializer = PledgeCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kind = serializer.validated_data["kind"]
        if not pledge.may_record_check(request.user, kind):
            raise PermissionDenied(_("You may not record this check."))
        if not pledge.can_be_checked:
            raise Conflict(_("Only a pledge being fulfilled is checked."))
        check = services.pledge_record_check(
            pledge=pledge, actor=request.user, kind=kind, note=serializer.validated_data["note"]
        )
        return Response(PledgeCheckSerializer(check).data, status=201)

    @extend_schema(request=PledgeEvaluationSerializer, responses=PledgeEvaluationSerializer(many=True))
    @action(detail=True, methods=["get", "post"], url_path="evaluations", pagination_class=None, filter_backends=[])
    def evaluations(self, request, pk=None):
        """评诺: ratings of a closed pledge; POST records one kind of rating."""
        pledge = self.get_object()
        if request.method == "GET":
            return Response(
                PledgeEvaluationSerializer(pledge.evaluations.select_related("recorded_by"), many=True).data
            )
        serializer = PledgeEvaluationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rater = serializer.validated_data["rater"]
        if not pledge.may_evaluate(request.user, rater):
            raise PermissionDenied(_("You may not record this rating."))
        if not pledge.can_be_evaluated:
            raise Conflict(_("Only a fulfilled or unfulfilled pledge is evaluated."))
        evaluation = services.pledge_evaluate(
            pledge=pledge,
            actor=request.user,
            rater=rater,
            rating=serializer.validated_data["rating"],
            note=serializer.validated_data.get("note", ""),
        )
        return Response(PledgeEvaluationSerializer(evaluation).data, status=201)
