"""The township office's item templates (每月主题党日, 季度党课 …): create, change, deactivate.

Each service runs in one transaction and writes one ``AdministrativeChange`` row with the
office holder's reason (see ``organization.office``). Changing a template affects the lists
generated afterwards; items already on a list keep their own title, standard and deadline.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from organization import office
from organization.models import Unit

from ..models import RecurringItemTemplate

__all__ = ["TEMPLATE_FIELDS", "template_create", "template_set_active", "template_update"]

TEMPLATE_FIELDS = (
    "unit",
    "title",
    "standard",
    "category",
    "default_assignee",
    "lead_leader",
    "cadence",
    "period_month",
    "once_month",
    "due_day",
)


def _check(township: Unit, template: RecurringItemTemplate) -> None:
    office.require_in(township, template.unit)
    if template.unit.kind != Unit.Kind.BRANCH:
        raise ValidationError({"unit": _("Choose a branch: monthly lists are kept per branch.")})
    people = office.people_of(township)
    for name in ("default_assignee", "lead_leader"):
        person = getattr(template, name)
        if person is not None and not people.filter(pk=person.pk).exists():
            raise ValidationError({name: _("This person holds no role in %(township)s.") % {"township": township}})
    template.full_clean()


def _snapshot(template: RecurringItemTemplate) -> dict:
    values = {}
    for name in TEMPLATE_FIELDS:
        value = getattr(template, name)
        values[name] = value.isoformat() if hasattr(value, "isoformat") else str(value) if value is not None else None
    return values


@transaction.atomic
def template_create(*, township: Unit, actor, reason: str, **fields) -> RecurringItemTemplate:
    reason = office.require_reason(reason)
    template = RecurringItemTemplate(**fields)
    _check(township, template)
    template.save()
    office.record(
        township,
        actor,
        "template_create",
        f"{template.unit.name} · {template.title}",
        reason,
        template=template.pk,
        after=_snapshot(template),
    )
    return template


@transaction.atomic
def template_update(
    *, township: Unit, actor, template: RecurringItemTemplate, reason: str, **fields
) -> RecurringItemTemplate:
    """Change a template; lists generated from now on follow it (existing items do not move)."""
    reason = office.require_reason(reason)
    template = RecurringItemTemplate.objects.select_for_update().select_related("unit").get(pk=template.pk)
    office.require_in(township, template.unit)
    before = _snapshot(template)
    for name, value in fields.items():
        setattr(template, name, value)
    _check(township, template)
    template.save()
    after = _snapshot(template)
    changed = {name: [before[name], after[name]] for name in TEMPLATE_FIELDS if before[name] != after[name]}
    office.record(
        township,
        actor,
        "template_update",
        f"{template.unit.name} · {template.title}",
        reason,
        template=template.pk,
        changed=changed,
    )
    return template


@transaction.atomic
def template_set_active(
    *, township: Unit, actor, template: RecurringItemTemplate, active: bool, reason: str
) -> RecurringItemTemplate:
    """Deactivate (no further lists receive it) or reactivate a template."""
    reason = office.require_reason(reason)
    template = RecurringItemTemplate.objects.select_for_update().select_related("unit").get(pk=template.pk)
    office.require_in(township, template.unit)
    template.active = active
    template.save(update_fields=["active"])
    action = "template_activate" if active else "template_deactivate"
    office.record(township, actor, action, f"{template.unit.name} · {template.title}", reason, template=template.pk)
    return template
