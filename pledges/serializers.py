"""Serializers of the ``pledges/`` API (and the checks the pages' forms share)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from workflows.api import CommentInputSerializer, ReasonInputSerializer
from workflows.bounds import check

from .models import PLEDGE_TEXT_MAX, PLEDGE_TEXT_MIN, SENTENCE_ENDS, Pledge, PledgeCheck, PledgeEvaluation


def pledge_text_errors(text: str) -> list[str]:
    """Why ``text`` is not one checkable sentence (empty when it is)."""
    text = (text or "").strip()
    if not text:
        return [_("Write your pledge in one sentence.")]
    errors = []
    if "\n" in text or "\r" in text:
        errors.append(_("A pledge is one sentence: no line breaks."))
    if len(text) < PLEDGE_TEXT_MIN:
        errors.append(
            _("Too short to be checkable: write at least %(min)d characters (now %(n)d).")
            % {"min": PLEDGE_TEXT_MIN, "n": len(text)}
        )
    if len(text) > PLEDGE_TEXT_MAX:
        errors.append(
            _("Too long for one sentence: at most %(max)d characters (now %(n)d).")
            % {"max": PLEDGE_TEXT_MAX, "n": len(text)}
        )
    ends = [i for i, ch in enumerate(text) if ch in SENTENCE_ENDS]
    if len(ends) > 1 or (ends and ends[0] != len(text) - 1):
        errors.append(_("A pledge is one sentence: end it once, at the end."))
    return errors


def pledge_due_date_errors(due_date: dt.date, year: int, *, instance: Pledge | None = None) -> list[str]:
    """The model's check (``Pledge.clean``) of ``due_date`` set on a new pledge of ``year`` or on
    ``instance``: the pages' form and this API show the same errors."""
    probe = Pledge(pk=instance.pk if instance else None, due_date=due_date, year=year)
    return [str(error) for error in check(probe, "due_date").get("due_date", [])]


def duplicate_pledge_error(member, year: int, *, exclude_pk: int | None = None) -> str | None:
    others = Pledge.objects.active().filter(member=member, year=year)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        return _(
            "You already have an active pledge for %(year)d: withdraw it or wait until it is closed "
            "before making another."
        ) % {"year": year}
    return None


class PledgeSerializer(serializers.ModelSerializer):
    member = serializers.SlugRelatedField(slug_field="username", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    text = serializers.CharField(max_length=1000, trim_whitespace=False)

    class Meta:
        model = Pledge
        fields = [
            "id",
            "member",
            "member_name",
            "unit",
            "unit_name",
            "year",
            "category",
            "text",
            "due_date",
            "due_at",
            "state",
            "warning_level",
            "escalation_level",
            "evidence_text",
            "return_reason",
            "claim_rejection_reason",
            "unfulfilled_reason",
            "submitted_at",
            "approved_at",
            "claimed_at",
            "closed_at",
            "on_time",
            "created_at",
        ]
        read_only_fields = [f for f in fields if f not in ("category", "text", "due_date", "year")]

    def validate_text(self, value: str) -> str:
        errors = pledge_text_errors(value)
        if errors:
            raise serializers.ValidationError(errors)
        return value.strip()

    def validate(self, attrs):
        instance = self.instance
        due_date = attrs.get("due_date", instance.due_date if instance else None)
        year = attrs.get("year") or (instance.year if instance else None) or timezone.localdate().year
        if instance is not None and "year" in attrs and attrs["year"] != instance.year:
            raise serializers.ValidationError({"year": [_("The pledge year cannot be changed.")]})
        if due_date is not None:
            errors = pledge_due_date_errors(due_date, year, instance=instance)
            if errors:
                raise serializers.ValidationError({"due_date": errors})
        member = instance.member if instance else self.context["request"].user
        duplicate = duplicate_pledge_error(member, year, exclude_pk=instance.pk if instance else None)
        if duplicate:
            raise serializers.ValidationError({"text": [duplicate]})
        attrs["year"] = year
        return attrs


class ClaimInputSerializer(CommentInputSerializer):
    evidence_text = serializers.CharField(max_length=2000, trim_whitespace=True)


class PledgeCheckSerializer(serializers.ModelSerializer):
    checked_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = PledgeCheck
        fields = ["id", "kind", "period", "note", "checked_by", "checked_at"]
        read_only_fields = ["id", "period", "checked_by", "checked_at"]


class PledgeEvaluationSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = PledgeEvaluation
        fields = ["id", "rater", "rating", "note", "recorded_by", "recorded_at"]
        read_only_fields = ["id", "recorded_by", "recorded_at"]


__all__ = [
    "ClaimInputSerializer",
    "CommentInputSerializer",
    "PledgeCheckSerializer",
    "PledgeEvaluationSerializer",
    "PledgeSerializer",
    "ReasonInputSerializer",
    "duplicate_pledge_error",
    "pledge_due_date_errors",
    "pledge_text_errors",
]
