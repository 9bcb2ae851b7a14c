"""REST API for monthly lists, items and extension requests (API.md).

Every queryset comes from a selector scoped to what the caller may read, so an object outside
the caller's scope is 404. Writes check, in order: scope (404), the caller's right (403), the
body (400), the object's state (409); the service then re-checks under the row lock.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from organization.scoping import scope_for
from workflows.api import (
    Conflict,
    ReasonInputSerializer,
    TransitionViewSetMixin,
    run_service_mapping_errors,
)

from . import selectors, services
from .evidence import validate_uploads
from .models import ExtensionRequest, ResponsibilityItem, ResponsibilityList
from .serializers import (
    INBOX_SUBJECT_TYPES,
    CloseDecisionsSerializer,
    CorrectInputSerializer,
    DoneStepSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    ExtensionSerializer,
    InboxStepSerializer,
    ItemRowSerializer,
    ItemSerializer,
    ItemUpdateSerializer,
    ListSerializer,
    ListUpdateSerializer,
    MonthField,
    ProgressInputSerializer,
    ReassignInputSerializer,
    SubmitInputSerializer,
    item_representation,
    item_rows,
)

Item = ResponsibilityItem


def _require_leader_of(user, unit) -> None:
    if not scope_for(user).leads(unit):
        raise PermissionDenied(_("Only leaders of %(unit)s may change this.") % {"unit": unit.name})


def _require_draft(obj, what: str) -> None:
    if obj.state != "draft":
        raise Conflict(_("Only a draft %(what)s can be changed.") % {"what": what})


# -- lists --------------------------------------------------------------------------------------


class ListFilter(django_filters.FilterSet):
    month = django_filters.CharFilter(method="filter_month", label=_("month (YYYY-MM)"))
    state = django_filters.ChoiceFilter(choices=ResponsibilityList.State.choices)

    class Meta:
        model = ResponsibilityList
        fields = ["unit", "state"]

    def filter_month(self, queryset, name, value):
        try:
            month = MonthField().to_internal_value(value)
        except ValidationError as exc:
            raise ValidationError({"month": exc.detail}) from exc
        return queryset.filter(month=month)


class ListViewSet(TransitionViewSetMixin, viewsets.ModelViewSet):
    """Monthly responsibility lists (月度责任清单) of the units the caller may read."""

    queryset = ResponsibilityList.objects.none()
    serializer_class = ListSerializer
    filterset_class = ListFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    transition_inputs = {"close": CloseDecisionsSerializer}

    def get_queryset(self):
        return (
            selectors.lists_visible_to(self.request.user)
            .annotate(item_count=Count("items"))
            .order_by("-month", "unit__path", "pk")
        )

    def get_serializer_class(self):
        if self.action == "partial_update":
            return ListUpdateSerializer
        return ListSerializer

    def create(self, request, *args, **kwargs):
        scope = scope_for(request.user)
        if not scope.led_paths and not scope.is_admin:
            raise PermissionDenied(_("Only leaders create lists."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lst = run_service_mapping_errors(lambda: services.list_create(actor=request.user, **serializer.validated_data))
        lst.item_count = 0
        return Response(self.get_serializer(lst).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        lst = self.get_object()
        _require_leader_of(request.user, lst.unit)
        _require_draft(lst, "list")
        serializer = self.get_serializer(lst, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        lst = run_service_mapping_errors(
            lambda: services.list_update(lst=lst, actor=request.user, **serializer.validated_data)
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=lst.pk)).data)

    def destroy(self, request, *args, **kwargs):
        lst = self.get_object()
        _require_leader_of(request.user, lst.unit)
        _require_draft(lst, "list")
        run_service_mapping_errors(lambda: services.list_delete_draft(lst=lst, actor=request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def perform_transition(self, obj, name, actor, data):
        comment = data.get("comment", "")
        if name == "publish":
            lst = services.list_publish(lst=obj, actor=actor, comment=comment)
        elif name == "close":
            lst = services.list_close(lst=obj, actor=actor, decisions=data["decisions"], comment=comment)
        else:  # pragma: no cover - api_transitions lists only these
            raise Conflict(name)
        return self.get_queryset().get(pk=lst.pk)


# -- items --------------------------------------------------------------------------------------


class ItemFilter(django_filters.FilterSet):
    assignee = django_filters.CharFilter(method="filter_assignee", label=_("assignee id, or 'me'"))
    state = django_filters.MultipleChoiceFilter(choices=Item.State.choices)
    list = django_filters.NumberFilter(field_name="list_id")
    unit = django_filters.NumberFilter(field_name="list__unit_id")
    warning_level = django_filters.MultipleChoiceFilter(choices=Item.Warning.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue (open and past the deadline)"))

    class Meta:
        model = Item
        fields = ["assignee", "state", "list", "unit", "warning_level", "overdue"]

    def filter_assignee(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assignee_id=self.request.user.pk)
        if value.isascii() and value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset.none()

    def filter_overdue(self, queryset, name, value):
        overdue = {"state__in": Item.OPEN_STATES, "due_at__lt": timezone.now()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


class ItemViewSet(TransitionViewSetMixin, viewsets.ModelViewSet):
    """Items of monthly lists: draft items are edited by the unit's leaders, then moved by transitions."""

    queryset = Item.objects.none()
    serializer_class = ItemSerializer
    filterset_class = ItemFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    transition_inputs = {
        "report_progress": ProgressInputSerializer,
        "submit": SubmitInputSerializer,
        "return": ReasonInputSerializer,
        "suspend": ReasonInputSerializer,
        "cancel": ReasonInputSerializer,
        "reassign": ReassignInputSerializer,
        "correct": CorrectInputSerializer,
    }

    #: Reads answered from plain rows (``ItemRowSerializer``, the same JSON as ``ItemSerializer``)
    row_actions = ("list", "retrieve")

    def _reads_rows(self) -> bool:
        # The schema generator describes ``ItemSerializer``, which the rows reproduce.
        return self.action in self.row_actions and not getattr(self, "swagger_fake_view", False)

    def get_queryset(self):
        user = self.request.user
        if self._reads_rows():
            return item_rows(selectors.items_visible_to(user, related=False))
        if self.action == "history":
            # The log needs the item's id only: the visibility check without joins or prefetch
            # (and the state, which django-fsm reads when an item is built).
            return selectors.items_visible_to(user, related=False).only("pk", "state")
        if self.action == "transitions":
            # What the caller may do depends on the state, the assignee and the list's unit.
            return selectors.items_visible_to(user, related=False).select_related("list__unit")
        return selectors.items_visible_to(user)

    def get_serializer_class(self):
        if self.action == "partial_update":
            return ItemUpdateSerializer
        if self._reads_rows():
            return ItemRowSerializer
        return ItemSerializer

    def create(self, request, *args, **kwargs):
        scope = scope_for(request.user)
        if not scope.led_paths and not scope.is_admin:
            raise PermissionDenied(_("Only leaders create items."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lst = data.pop("list")
        _require_leader_of(request.user, lst.unit)
        if lst.state == ResponsibilityList.State.CLOSED:
            raise Conflict(_("The list is closed: items are added to draft or published lists."))
        item = run_service_mapping_errors(lambda: services.item_create(lst=lst, actor=request.user, **data))
        return Response(self.get_serializer(self._reload(item)).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        _require_leader_of(request.user, item.list.unit)
        _require_draft(item, "item")
        serializer = self.get_serializer(item, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        item = run_service_mapping_errors(
            lambda: services.item_update(item=item, actor=request.user, **serializer.validated_data)
        )
        return Response(self.get_serializer(self._reload(item)).data)

    def destroy(self, request, *args, **kwargs):
        item = self.get_object()
        _require_leader_of(request.user, item.list.unit)
        _require_draft(item, "item")
        run_service_mapping_errors(lambda: services.item_delete_draft(item=item, actor=request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _reload(self, item):
        return self.get_queryset().get(pk=item.pk)

    def scoped_object(self):
        if self.action != "take_transition":
            return super().scoped_object()
        # A transition reads one item by its key: the scope's rule checked on the row, not a
        # filter over every item the caller may read (selectors.item_for_transition).
        found = selectors.item_for_transition(self.request.user, self.kwargs[self.lookup_field])
        if found is None:
            raise Http404(f"No {Item._meta.object_name} matches the given query.")  # as get_object's
        item, self._co_handler_ids = found
        self.check_object_permissions(self.request, item)
        return item

    @extend_schema(
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceSerializer(many=True)},
        description="Add one or several evidence files (``file`` parts) to an open item: its cadre, "
        "co-handlers and the unit's leaders. HEIC photos are stored as JPEG. All files or none.",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="evidence",
        parser_classes=[MultiPartParser, FormParser],
        pagination_class=None,
    )
    def evidence(self, request, pk=None):
        item = self.get_object()
        if not selectors.participates(request.user, item):
            raise PermissionDenied(_("Only the item's cadre, co-handlers and leaders add evidence."))
        if item.state not in Item.OPEN_STATES:
            raise Conflict(_("Evidence can be added only while the item is open."))
        try:
            checked = validate_uploads(request.FILES.getlist("file"))
        except DjangoValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        stored = services.item_add_evidence_files(item=item, actor=request.user, checked=checked)
        return Response(EvidenceSerializer(stored, many=True).data, status=status.HTTP_201_CREATED)

    def transition_answer(self, item) -> dict:
        # The service's item was read under its row lock after the checks (the item found in the
        # caller's scope) and holds what the answer shows; the co-handlers were read with it, and
        # no transition changes them.
        return item_representation(item, self._co_handler_ids)

    def perform_transition(self, obj, name, actor, data):
        comment = data.pop("comment", "")
        call = {
            "accept": services.item_accept,
            "report_progress": services.item_report_progress,
            "submit": services.item_submit,
            "verify": services.item_verify,
            "return": services.item_return,
            "suspend": services.item_suspend,
            "resume": services.item_resume,
            "cancel": services.item_cancel,
            "reassign": services.item_reassign,
            "correct": services.item_correct,
        }[name]
        return call(item=obj, actor=actor, comment=comment, **data)


# -- extension requests -------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(description="The responsible cadre asks for a later deadline (延期申请)."),
)
class ExtensionViewSet(
    TransitionViewSetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Extension requests (延期申请) on items the caller may read."""

    queryset = ExtensionRequest.objects.none()
    serializer_class = ExtensionSerializer
    filterset_fields = ["item", "issue", "state"]
    transition_inputs = {"reject": ReasonInputSerializer}

    def get_queryset(self):
        return selectors.extensions_visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        field = "item" if data.get("item") is not None else "issue"
        request_it = lambda: services.extension_ask(  # noqa: E731
            subject_field=field,
            subject=data[field],
            actor=request.user,
            new_due_at=data["new_due_at"],
            reason=data["reason"],
        )
        extension = run_service_mapping_errors(request_it)
        return Response(self.get_serializer(extension).data, status=status.HTTP_201_CREATED)

    def perform_transition(self, obj, name, actor, data):
        comment = data.get("comment", "")
        if name == "approve":
            extension = services.extension_approve(extension=obj, actor=actor, comment=comment)
        else:
            extension = services.extension_reject(extension=obj, actor=actor, reason=data["reason"], comment=comment)
        return self.get_queryset().get(pk=extension.pk)


# -- inbox ----------------------------------------------------------------------------------------


@extend_schema(
    parameters=[
        OpenApiParameter("subject_type", str, enum=list(INBOX_SUBJECT_TYPES), description="Only steps on this kind."),
    ]
)
class InboxView(generics.ListAPIView):
    """Every step waiting on the caller, across subjects, soonest deadline first (none last);
    what the caller did (已办) is ``inbox/done/``."""

    serializer_class = InboxStepSerializer
    filter_backends: list = []

    def get_queryset(self):
        from workflows.inbox import inbox_for, subject_types

        subject_type = self.request.query_params.get("subject_type") or None
        if subject_type is not None and subject_type not in subject_types():
            raise ValidationError(
                {
                    "subject_type": [
                        _("Unknown kind of subject; one of: %(kinds)s.") % {"kinds": ", ".join(subject_types())}
                    ]
                }
            )
        return inbox_for(self.request.user, subject_type)


class DoneView(generics.ListAPIView):
    """已办: the transitions the caller took, across subjects of their township, newest first (paged)."""

    serializer_class = DoneStepSerializer
    filter_backends: list = []

    def get_queryset(self):
        from workflows.inbox import done_for

        return done_for(self.request.user)
