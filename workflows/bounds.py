"""Bounds of the dates and moments people enter (deadlines, due dates, months, calendar days).

Every model with such a field checks it here, once, in its field validators and ``clean()``;
forms, serializers, the Excel import and the commands call the model's check. The absolute
range (2000-01-01 to 2100-12-31) is also a CHECK constraint in the database (``date_range_q``):
a year-1 deadline, shifted before year 1 by the time zone, made every later read of its row fail.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
# In UTC, a day of slack either side so that any time zone's local date fits the date range.
EARLIEST_MOMENT = dt.datetime(1999, 12, 31, tzinfo=dt.UTC)
LATEST_MOMENT = dt.datetime(2101, 1, 2, tzinfo=dt.UTC)
#: How far ahead a deadline may be set (a monthly list plans months, not years).
MAX_AHEAD = dt.timedelta(days=400)


def in_range(value: dt.date | dt.datetime) -> bool:
    """Whether ``value`` lies in the absolute range the database accepts."""
    if isinstance(value, dt.datetime):
        moment = value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)
        return EARLIEST_MOMENT <= moment <= LATEST_MOMENT
    return EARLIEST_DATE <= value <= LATEST_DATE


OUT_OF_RANGE = _("Enter a date between 2000-01-01 and 2100-12-31.")


def validate_in_range(value) -> None:
    """Field validator: a date or moment between 2000-01-01 and 2100-12-31."""
    if value is not None and not in_range(value):
        raise ValidationError(OUT_OF_RANGE, code="out_of_range")


def date_range_q(field: str, *, moment: bool) -> models.Q:
    """The CHECK constraint's condition for ``field`` (NULL passes: emptiness is the field's rule)."""
    low, high = (EARLIEST_MOMENT, LATEST_MOMENT) if moment else (EARLIEST_DATE, LATEST_DATE)
    return models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gte": low, f"{field}__lte": high})


def deadline_errors(value: dt.datetime, *, now: dt.datetime | None = None) -> list:
    """Why ``value`` cannot be set as a new deadline: in the past, or more than 400 days ahead."""
    if not in_range(value):
        return [OUT_OF_RANGE]
    now = now or timezone.now()
    if value <= now:
        return [_("The deadline must be in the future.")]
    if value > now + MAX_AHEAD:
        return [_("The deadline is too far ahead (at most 400 days).")]
    return []


def due_date_errors(value: dt.date, *, today: dt.date | None = None) -> list:
    """``deadline_errors`` for a due date (a whole day): not before today, at most 400 days ahead."""
    if not in_range(value):
        return [OUT_OF_RANGE]
    today = today or timezone.localdate()
    if value < today:
        return [_("The due date cannot be in the past.")]
    if value > today + MAX_AHEAD:
        return [_("The due date is too far ahead (at most 400 days).")]
    return []


def changed(instance: models.Model, field: str) -> bool:
    """Whether ``instance``'s ``field`` differs from its stored value (a new object: yes).
    Only a deadline that is set or moved must lie ahead; one kept as it was may have passed."""
    if instance.pk is None:
        return True
    stored = type(instance)._default_manager.filter(pk=instance.pk).values_list(field, flat=True).first()
    return stored != getattr(instance, field)


def check(instance: models.Model, *fields: str) -> dict[str, list[str]]:
    """The errors ``instance.full_clean()`` finds in ``fields`` and in ``clean()``, by field name:
    how forms, serializers and the import ask the model, without validating what they do not set."""
    errors: dict[str, list[str]] = {}
    exclude = [f.name for f in instance._meta.concrete_fields if f.name not in fields]
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not errors:
        try:
            instance.clean()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    return errors
