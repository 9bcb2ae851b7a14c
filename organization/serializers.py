from rest_framework import serializers

from .models import Membership, User


class MeUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="unit.id")
    name = serializers.CharField(source="unit.name")
    kind = serializers.CharField(source="unit.kind")
    role = serializers.CharField()

    def to_representation(self, membership):
        data = super().to_representation(membership)
        unit = membership.unit
        if unit.kind == unit.Kind.TEMPORARY_BRANCH:
            # 临时党支部: the dates it stands.
            data["stands_from"] = unit.stands_from.isoformat() if unit.stands_from else None
            data["stands_until"] = unit.stands_until.isoformat() if unit.stands_until else None
        return data


class MeSerializer(serializers.ModelSerializer):
    display_name = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    units = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "roles", "units"]

    def get_display_name(self, user) -> str:
        return str(user)

    def get_roles(self, user) -> list[str]:
        from .scoping import scope_for

        order = ["leader", "cadre", "commissioner", "observer", "office", "admin"]
        roles = scope_for(user).roles
        return [r for r in order if r in roles]

    @staticmethod
    def _memberships(user):
        return Membership.objects.filter(user=user).select_related("unit").order_by("unit__path", "role")

    def get_units(self, user) -> list[dict]:
        return MeUnitSerializer(self._memberships(user), many=True).data


class UserBriefSerializer(serializers.ModelSerializer):
    display_name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name"]

    def get_display_name(self, user) -> str:
        return str(user)
