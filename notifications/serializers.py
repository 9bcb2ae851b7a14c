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


class ReadAllResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
