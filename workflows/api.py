"""The shared transition API of every stateful resource (API.md):

- ``GET  <resource>/<id>/transitions/`` → ``[{"name", "label", "target"}]`` the caller may take now;
- ``POST <resource>/<id>/transitions/<name>/`` → 200 and the object; 400 bad body; 403 not yours
  to take; 404 outside your scope (or no such transition); 409 wrong state / changed underneath;
- ``GET  <resource>/<id>/history/`` → the transition log.

A viewset mixes in ``TransitionViewSetMixin``, declares each transition's input serializer and
the service that performs it. Checks run in the order the contract implies: scope (404), the
transition's existence (404), the caller's right to take this transition from any state (403:
an observer or the assignee asked to verify is refused whatever the state), the current state
(409), the caller's right to take it now (403), body (400); the service then re-checks
everything under the row lock.
"""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.response import Response

from .bounds import OUT_OF_RANGE
from .engine import (
    TransitionConflict,
    TransitionForbidden,
    api_transitions,
    available_transitions,
    check_transition,
    history,
)


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object is not in a state that allows this, or it changed underneath."
    default_code = "conflict"


class MomentField(serializers.DateTimeField):
    """A date-time input that answers 400, not 500, to a moment its time zone cannot express:
    year 1, 01:00 in Asia/Shanghai lies before year 1 in UTC. The range itself is the model's rule."""

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except OverflowError as exc:
            raise serializers.ValidationError(str(OUT_OF_RANGE), code="out_of_range") from exc


class TransitionOptionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    target = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    transition = serializers.CharField()
    source = serializers.CharField()
    target = serializers.CharField()
    actor = serializers.SerializerMethodField()
    at = serializers.DateTimeField()
    comment = serializers.CharField()
    payload = serializers.JSONField()

    def get_actor(self, entry) -> str | None:
        return entry.actor.username if entry.actor_id else None


_DATETIME = serializers.DateTimeField()


def history_representations(entries) -> list[dict]:
    """``HistoryEntrySerializer(entries, many=True).data`` for the log rows of ``entries`` (a
    ``TransitionLog`` queryset), read as plain rows: no log entries or actors built.
    tests/workflows/test_api_history_rows.py holds the two to byte equality."""
    rows = entries.values_list("transition", "source", "target", "actor__username", "at", "comment", "payload")
    return [
        {
            "transition": transition,
            "source": source,
            "target": target,
            "actor": actor,
            "at": _DATETIME.to_representation(at),
            "comment": comment,
            "payload": payload,
        }
        for transition, source, target, actor, at, comment, payload in rows
    ]


class CommentInputSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ReasonInputSerializer(CommentInputSerializer):
    reason = serializers.CharField(max_length=2000, trim_whitespace=True)


def run_service_mapping_errors(call: Callable[[], object]):
    try:
        return call()
    except TransitionForbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    except TransitionConflict as exc:
        raise Conflict(str(exc)) from exc


class TransitionViewSetMixin:
    """For a ModelViewSet whose ``get_object`` is scoped to what the caller may read."""

    #: API transition name → input serializer (defaults to an optional comment)
    transition_inputs: dict[str, type[serializers.Serializer]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Every input of the resource's transitions becomes a schema component; the schema's
        # post-processing (config/openapi.py) then gives each transition its own path and body.
        inputs = [CommentInputSerializer, *dict.fromkeys(cls.transition_inputs.values())]
        extend_schema_view(
            take_transition=extend_schema(
                request=PolymorphicProxySerializer(
                    component_name=f"{cls.__name__}TransitionInput", serializers=inputs, resource_type_field_name=None
                )
            )
        )(cls)

    def perform_transition(self, obj, name: str, actor, data: dict):
        """Call the service for ``name``; return the updated object. Subclasses implement."""
        raise NotImplementedError

    def transition_answer(self, obj) -> dict:
        """The body of a transition's 200 answer: the object as the resource shows it."""
        return self.get_serializer(obj).data

    @extend_schema(responses=TransitionOptionSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="transitions", pagination_class=None, filter_backends=[])
    def transitions(self, request, pk=None):
        obj = self.get_object()
        options = [
            {"name": t.name, "label": t.label, "target": t.target} for t in available_transitions(obj, request.user)
        ]
        return Response(TransitionOptionSerializer(options, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH)],
        request=CommentInputSerializer,
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)", filter_backends=[])
    def take_transition(self, request, pk=None, name=None):
        obj = self.get_object()
        info = api_transitions(type(obj)).get(name)
        if info is None:
            raise NotFound(f"No transition named '{name}'.")
        run_service_mapping_errors(
            lambda: check_transition(obj, info.method, actor=request.user, name=name, strangers_first=True)
        )
        serializer = self.transition_inputs.get(name, CommentInputSerializer)(
            data=request.data, context={"request": request, "object": obj}
        )
        serializer.is_valid(raise_exception=True)
        obj = run_service_mapping_errors(
            lambda: self.perform_transition(obj, name, request.user, dict(serializer.validated_data))
        )
        return Response(self.transition_answer(obj))

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], url_path="history", pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        obj = self.get_object()
        return Response(history_representations(history(obj)))
