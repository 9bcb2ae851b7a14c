"""The engine's own endpoints over every registered subject: search."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError

from .search import MAX_QUERY_LENGTH, clean_query, search_for, search_subject_types


class SearchHitSerializer(serializers.Serializer):
    subject_type = serializers.CharField()
    subject_id = serializers.IntegerField()
    subject_label = serializers.CharField(help_text="The kind of subject, in the caller's language.")
    title = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField(help_text="The state, in the caller's language.")
    url = serializers.CharField(help_text="The subject's page.")


@extend_schema(
    parameters=[
        OpenApiParameter(
            "q",
            str,
            required=True,
            description=f"Text to find (substring, Chinese works; at most {MAX_QUERY_LENGTH} characters).",
        ),
        OpenApiParameter("subject_type", str, description="Only this kind of subject."),
    ]
)
class SearchView(generics.ListAPIView):
    """Items, livelihood issues, pledges, cases (and activities) the caller may read whose text
    contains ``q``; each kind newest first."""

    serializer_class = SearchHitSerializer
    filter_backends: list = []

    def get_queryset(self):
        query = clean_query(self.request.query_params.get("q"))
        if not query:
            raise ValidationError({"q": [_("Type something to search for.")]})
        subject_type = self.request.query_params.get("subject_type") or None
        if subject_type is not None and subject_type not in search_subject_types():
            raise ValidationError(
                {
                    "subject_type": [
                        _("Unknown kind of subject; one of: %(kinds)s.") % {"kinds": ", ".join(search_subject_types())}
                    ]
                }
            )
        return search_for(self.request.user, query, subject_type)
