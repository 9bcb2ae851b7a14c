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

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.response import Response

from .audit import acting_for
from .bounds import OUT_OF_RANGE
from .engine import (
    TransitionConflict,
    TransitionForbidden,
    api_transitions,
    available_transitions,
    check_transition,
    history,
    may_ever_take,
)
from .standins import principals_of


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
    on_behalf_of = serializers.SerializerMethodField(
        help_text="The person a stand-in (代理) took this step for; null when the actor acted for themself."
    )
    at = serializers.DateTimeField()
    comment = serializers.CharField()
    payload = serializers.JSONField()

    def get_actor(self, entry) -> str | None:
        return entry.actor.username if entry.actor_id else None

    def get_on_behalf_of(self, entry) -> str | None:
        return entry.on_behalf_of.username if entry.on_behalf_of_id else None


_DATETIME = serializers.DateTimeField()


def history_representations(entries) -> list[dict]:
    """``HistoryEntrySerializer(entries, many=True).data`` for the log rows of ``entries`` (a
    ``TransitionLog`` queryset), read as plain rows: no log entries or actors built.
    tests/workflows/test_api_history_rows.py holds the two to byte equality."""
    rows = entries.values_list(
        "transition", "source", "target", "actor__username", "on_behalf_of__username", "at", "comment", "payload"
    )
    return [
        {
            "transition": transition,
            "source": source,
            "target": target,
            "actor": actor,
            "on_behalf_of": on_behalf_of,
            "at": _DATETIME.to_representation(at),
            "comment": comment,
            "payload": payload,
        }
        for transition, source, target, actor, on_behalf_of, at, comment, payload in rows
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
    """For a ModelViewSet whose ``get_object`` is scoped to what the caller may read.

    Stand-ins (代理, ``workflows.standins``): an object outside the caller's scope that a person
    they stand in for today may read is theirs to read too (detail, transitions, history); a
    transition the caller may not take but that person may is taken as that person — every
    check, the serializers and the service see the person — and logged with the caller as
    ``actor`` and the person as ``on_behalf_of``.
    """

    #: API transition name → input serializer (defaults to an optional comment)
    transition_inputs: dict[str, type[serializers.Serializer]] = {}
    #: whether a stand-in reads and acts for the person on this resource
    stand_ins_act_here = True

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

    def _as(self, person):
        """Run the block with ``request.user`` being ``person`` (the real caller is kept)."""
        mixin = self

        class _Swap:
            def __enter__(self):
                mixin._caller = mixin.request.user
                mixin.request.user = person

            def __exit__(self, *exc):
                mixin.request.user = mixin._caller

        return _Swap()

    #: the person (stood in for) through whom ``get_object`` found the object; None: the caller
    found_for = None

    def scoped_object(self):
        """The object in ``request.user``'s scope (Http404 outside it); a viewset may override."""
        return super().get_object()

    def get_object(self):
        self.found_for = None
        try:
            return self.scoped_object()
        except Http404:
            if not self.stand_ins_act_here:
                raise
            for principal in principals_of(self.request.user):
                with self._as(principal.user):
                    try:
                        obj = self.scoped_object()
                    except Http404:
                        continue
                self.found_for = principal.user
                return obj
            raise

    def _acting_person(self, obj, name: str):
        """Whom the caller takes ``name`` on ``obj`` as: themself (None) or a person they stand in for."""
        caller = self.request.user
        if self.found_for is not None:
            return self.found_for
        if not self.stand_ins_act_here or may_ever_take(obj, name, caller):
            return None
        return next((p.user for p in principals_of(caller) if may_ever_take(obj, name, p.user)), None)

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
        # An object the caller reads only as someone's stand-in shows that person's options; one
        # the caller reads themself shows theirs (a step of the person's on it is still taken:
        # ``take_transition`` falls back to the person when the caller never may).
        person = request.user if self.found_for is None else self.found_for
        options = [{"name": t.name, "label": t.label, "target": t.target} for t in available_transitions(obj, person)]
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
        person = self._acting_person(obj, name)
        if person is not None:
            caller = request.user
            with self._as(person), acting_for(caller, person):
                return self._take(request, obj, name, info)
        return self._take(request, obj, name, info)

    def _take(self, request, obj, name, info):
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
