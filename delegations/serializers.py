"""``delegations/`` (API.md): the caller names their stand-in (代理)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from organization.models import User
from workflows.bounds import MAX_AHEAD, OUT_OF_RANGE, in_range

from .models import Delegation
from .selectors import township_people


def delegation_errors(*, delegator, delegate, starts_on, ends_on) -> dict[str, list[str]]:
    """What is wrong with naming ``delegate`` for ``starts_on``–``ends_on`` (pages and API alike)."""
    errors: dict[str, list[str]] = {}
    if delegate is not None:
        if delegate.pk == delegator.pk:
            errors["delegate"] = [_("You cannot be your own stand-in.")]
        elif not township_people(delegator).filter(pk=delegate.pk).exists():
            errors["delegate"] = [_("Choose a stand-in among the people of your township.")]
    today = timezone.localdate()
    for name, value in (("starts_on", starts_on), ("ends_on", ends_on)):
        if value is None:
            continue
        if not in_range(value):
            errors[name] = [str(OUT_OF_RANGE)]
        elif value < today:
            errors[name] = [_("The date cannot be in the past.")]
        elif value > today + MAX_AHEAD:
            errors[name] = [_("The date is too far ahead (at most 400 days).")]
    if starts_on and ends_on and not errors.get("starts_on") and not errors.get("ends_on"):
        if ends_on < starts_on:
            errors["ends_on"] = [_("The last day cannot come before the first.")]
        elif Delegation.objects.overlapping(delegator.pk, starts_on, ends_on).exists():
            errors["starts_on"] = [_("You already have a stand-in for some of these days; revoke it first.")]
    return errors


class DelegationSerializer(serializers.ModelSerializer):
    delegator = serializers.IntegerField(source="delegator_id", read_only=True)
    delegator_name = serializers.CharField(source="delegator.name", read_only=True)
    delegate = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    delegate_name = serializers.CharField(source="delegate.name", read_only=True)
    state = serializers.ChoiceField(choices=Delegation.State.choices, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    in_force = serializers.BooleanField(read_only=True, help_text="Granted, and today lies within its dates.")
    reason = serializers.CharField(max_length=2000)

    class Meta:
        model = Delegation
        fields = [
            "id",
            "delegator",
            "delegator_name",
            "delegate",
            "delegate_name",
            "starts_on",
            "ends_on",
            "reason",
            "state",
            "state_label",
            "in_force",
            "created_at",
            "revoked_at",
        ]
        read_only_fields = ["created_at", "revoked_at"]

    def validate_reason(self, reason: str) -> str:
        if not reason.strip():
            raise serializers.ValidationError(_("Say why you are away."))
        return reason.strip()

    def validate(self, attrs):
        errors = delegation_errors(
            delegator=self.context["request"].user,
            delegate=attrs.get("delegate"),
            starts_on=attrs.get("starts_on"),
            ends_on=attrs.get("ends_on"),
        )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs
