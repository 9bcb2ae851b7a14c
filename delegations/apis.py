"""``/api/v1/delegations/``: create (the caller's stand-in), list, detail, ``revoke``, history."""

from __future__ import annotations

from rest_framework import mixins, viewsets

from workflows.api import TransitionViewSetMixin, run_service_mapping_errors

from . import services
from .selectors import delegations_visible_to
from .serializers import DelegationSerializer


class DelegationViewSet(
    TransitionViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """代理: the stand-ins the caller named or was named as."""

    serializer_class = DelegationSerializer
    filterset_fields = ["state"]
    # A stand-in never stands in for the person here: naming stand-ins is the person's own act.
    stand_ins_act_here = False

    def get_queryset(self):
        return delegations_visible_to(self.request.user).order_by("-starts_on", "-pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = run_service_mapping_errors(
            lambda: services.delegation_create(
                delegator=self.request.user,
                delegate=data["delegate"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
            )
        )

    def perform_transition(self, obj, name, actor, data):
        if name == "revoke":
            return services.delegation_revoke(delegation=obj, actor=actor, comment=data.get("comment", ""))
        raise NotImplementedError(name)
