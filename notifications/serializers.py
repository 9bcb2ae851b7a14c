from rest_framework import serializers

from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    subject_type = serializers.SlugRelatedField(
        slug_field="model",
        read_only=True,
        allow_null=True,
        help_text="The kind of subject (model name); null for none.",
    )
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "event",
            "subject_type",
            "subject_id",
            "text",
            "link",
            "urgent",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields


#: The columns ``notification_representations`` reads (``values()`` of a notification queryset).
NOTIFICATION_ROW_COLUMNS = "id event subject_type__model subject_id text link urgent created_at read_at".split()
_DATETIME = serializers.DateTimeField()


def notification_representations(rows) -> list[dict]:
    """``NotificationSerializer(notifications, many=True).data`` for ``values(*NOTIFICATION_ROW_COLUMNS)``
    rows: a page read without building notifications and their content types.
    tests/notifications/test_api_and_pages.py holds the two to byte equality."""
    return [
        {
            "id": row["id"],
            "event": row["event"],
            "subject_type": row["subject_type__model"],
            "subject_id": row["subject_id"],
            "text": row["text"],
            "link": row["link"],
            "urgent": row["urgent"],
            "created_at": _DATETIME.to_representation(row["created_at"]),
            "read_at": _DATETIME.to_representation(row["read_at"]) if row["read_at"] else None,
            "is_read": row["read_at"] is not None,
        }
        for row in rows
    ]


class ReadAllResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
