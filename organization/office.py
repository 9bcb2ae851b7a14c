"""The township office (党政办): services that change a township's set-up, each logged.

Every service takes the township it acts in, the actor and the reason, runs in one
transaction, and writes one ``AdministrativeChange`` row beside the change. Callers (the office
pages) have already checked that the actor administers the township and that every record
named lies in it; the services check it again, so a command or a future API cannot skip it.
The office changes who is who; it never takes business decisions (verify, dispatch, …).
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import AdministrativeChange, Jurisdiction, Membership, Pairing, Unit, User
from .scoping import scope_for

# Readable one-time passwords: no 0/O, 1/l/I.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def temporary_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def townships_administered(user) -> list[Unit]:
    """The townships ``user`` administers, in tree order (admins: every township)."""
    scope = scope_for(user)
    qs = Unit.objects.filter(kind=Unit.Kind.TOWNSHIP).order_by("sort_order", "path")
    if not scope.is_admin:
        qs = qs.filter(path__in=scope.office_paths)
    return list(qs)


def people_of(township: Unit):
    """Everyone holding a role in ``township`` (active or not)."""
    return User.objects.filter(memberships__unit__path__startswith=township.path).distinct()


def _require_in(township: Unit, *units: Unit) -> None:
    for unit in units:
        if not unit.path.startswith(township.path):
            raise ValidationError({"unit": _("This unit does not belong to %(township)s.") % {"township": township}})


def _require_person_of(township: Unit, person: User) -> None:
    if not people_of(township).filter(pk=person.pk).exists():
        raise ValidationError({"person": _("This person holds no role in %(township)s.") % {"township": township}})


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: every change is recorded with its reason.")})
    return reason


def _record(township: Unit, actor: User, action: str, target: str, reason: str, **details) -> AdministrativeChange:
    return AdministrativeChange.objects.create(
        township=township, actor=actor, action=action, target=target[:200], reason=reason, details=details
    )


# Public names for the other apps' office services (item templates, calendar, …).
require_in = _require_in
require_reason = _require_reason
record = _record


@transaction.atomic
def person_create(
    *,
    township: Unit,
    actor: User,
    username: str,
    display_name: str,
    phone: str = "",
    unit: Unit,
    role: str,
    title: str = "",
    reason: str,
) -> tuple[User, str]:
    """A new account with its first role in ``township``; returns it and a one-time password."""
    reason = _require_reason(reason)
    _require_in(township, unit)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    password = temporary_password()
    person = User(username=username, display_name=display_name, phone=phone)
    person.set_password(password)
    person.save()
    Membership.objects.create(user=person, unit=unit, role=role, title=title)
    _record(township, actor, "person_create", f"{person.username} {display_name}", reason, unit=unit.name, role=role)
    return person, password


@transaction.atomic
def person_update(*, township: Unit, actor: User, person: User, display_name: str, phone: str, reason: str) -> User:
    reason = _require_reason(reason)
    _require_person_of(township, person)
    before = {"display_name": person.display_name, "phone": person.phone}
    person.display_name, person.phone = display_name, phone
    person.save(update_fields=["display_name", "phone"])
    _record(
        township,
        actor,
        "person_update",
        person.username,
        reason,
        before=before,
        after={"display_name": display_name, "phone": phone},
    )
    return person


@transaction.atomic
def person_set_active(*, township: Unit, actor: User, person: User, active: bool, reason: str) -> User:
    """Deactivate (signs the person out everywhere: sessions and API tokens end) or reactivate."""
    reason = _require_reason(reason)
    _require_person_of(township, person)
    if person.pk == actor.pk and not active:
        raise ValidationError({"person": _("You cannot deactivate your own account.")})
    if person.is_superuser:
        raise ValidationError({"person": _("Administrators are managed by the deployment, not by the office.")})
    person.is_active = active
    person.save(update_fields=["is_active"])
    _record(township, actor, "person_activate" if active else "person_deactivate", person.username, reason)
    return person


@transaction.atomic
def person_reset_password(*, township: Unit, actor: User, person: User, reason: str) -> str:
    """A new one-time password for ``person`` (their sessions and API tokens end)."""
    reason = _require_reason(reason)
    _require_person_of(township, person)
    if person.is_superuser:
        raise ValidationError({"person": _("Administrators are managed by the deployment, not by the office.")})
    password = temporary_password()
    person.set_password(password)
    person.save()
    _record(township, actor, "password_reset", person.username, reason)
    return password


@transaction.atomic
def membership_add(
    *, township: Unit, actor: User, person: User, unit: Unit, role: str, title: str = "", reason: str
) -> Membership:
    reason = _require_reason(reason)
    _require_in(township, unit)
    if person.is_superuser:
        raise ValidationError({"person": _("Administrators are managed by the deployment, not by the office.")})
    membership, created = Membership.objects.get_or_create(user=person, unit=unit, role=role, defaults={"title": title})
    if not created:
        raise ValidationError({"role": _("%(person)s already holds this role in this unit.") % {"person": person}})
    _record(township, actor, "membership_add", f"{person.username} · {unit.name}", reason, role=role, title=title)
    return membership


@transaction.atomic
def membership_remove(*, township: Unit, actor: User, membership: Membership, reason: str) -> None:
    reason = _require_reason(reason)
    _require_in(township, membership.unit)
    if membership.user_id == actor.pk and membership.role == Membership.Role.OFFICE:
        raise ValidationError({"role": _("You cannot remove your own office role.")})
    target = f"{membership.user.username} · {membership.unit.name}"
    role = membership.role
    membership.delete()
    _record(township, actor, "membership_remove", target, reason, role=role)


@transaction.atomic
def pairing_add(*, township: Unit, actor: User, branch: Unit, partner: Unit, reason: str) -> Pairing:
    """1+N: pair an organ branch with a village, community or enterprise of the township."""
    reason = _require_reason(reason)
    _require_in(township, branch, partner)
    if branch.kind != Unit.Kind.BRANCH:
        raise ValidationError({"branch": _("Choose an organ branch.")})
    if partner.kind not in (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY, Unit.Kind.ENTERPRISE):
        raise ValidationError({"partner": _("Choose a village, community or enterprise.")})
    pairing, created = Pairing.objects.get_or_create(branch=branch, partner=partner)
    if not created:
        raise ValidationError({"partner": _("These two are already paired.")})
    _record(township, actor, "pairing_add", f"{branch.name} ↔ {partner.name}", reason)
    return pairing


@transaction.atomic
def pairing_remove(*, township: Unit, actor: User, pairing: Pairing, reason: str) -> None:
    reason = _require_reason(reason)
    _require_in(township, pairing.branch)
    target = f"{pairing.branch.name} ↔ {pairing.partner.name}"
    pairing.delete()
    _record(township, actor, "pairing_remove", target, reason)


# -- the working-day calendar and the discipline jurisdictions ----------------------------------


def calendar_overrides_of(township: Unit):
    """The township's own calendar overrides (on the township or a unit in it)."""
    from workflows.models import CalendarOverride

    return CalendarOverride.objects.filter(unit__path__startswith=township.path).select_related("unit")


@transaction.atomic
def calendar_set(*, township: Unit, actor: User, date, unit: Unit, is_working_day: bool, note: str = "", reason: str):
    """Make ``date`` a working day or a day off for ``unit`` (the township or one of its units).

    Only today and later days can be changed: deadlines already set were computed with the
    calendar of their day and never move (DESIGN.md), and a past day's overdue count stays.
    """
    from django.utils import timezone

    from workflows.models import CalendarOverride

    reason = _require_reason(reason)
    _require_in(township, unit)
    if date < timezone.localdate():
        raise ValidationError({"date": _("A past day cannot be changed: what was counted on it stays.")})
    override = CalendarOverride.objects.select_for_update().filter(date=date, unit=unit).first()
    before = None if override is None else override.is_working_day
    override = override or CalendarOverride(date=date, unit=unit)
    override.is_working_day, override.note = is_working_day, note
    override.full_clean()
    override.save()
    _record(
        township,
        actor,
        "calendar_set",
        f"{date:%Y-%m-%d} · {unit.name}",
        reason,
        working_day=is_working_day,
        before=before,
        note=note,
    )
    return override


@transaction.atomic
def calendar_remove(*, township: Unit, actor: User, override, reason: str) -> None:
    """Drop an override: the day follows the statutory calendar again (today and later only)."""
    from django.utils import timezone

    reason = _require_reason(reason)
    if override.unit is None:
        raise ValidationError({"unit": _("Deployment-wide days are kept by the administrators.")})
    _require_in(township, override.unit)
    if override.date < timezone.localdate():
        raise ValidationError({"date": _("A past day cannot be changed: what was counted on it stays.")})
    target = f"{override.date:%Y-%m-%d} · {override.unit.name}"
    working = override.is_working_day
    override.delete()
    _record(township, actor, "calendar_remove", target, reason, was_working_day=working)


def jurisdictions_of(township: Unit):
    return (
        Jurisdiction.objects.filter(unit__path__startswith=township.path)
        .select_related("unit")
        .prefetch_related("covers")
        .order_by("unit__path")
    )


@transaction.atomic
def jurisdiction_set(
    *, township: Unit, actor: User, unit: Unit, name: str, covers, reason: str, jurisdiction=None
) -> Jurisdiction:
    """Create (``jurisdiction`` None) or change the discipline jurisdiction seated on ``unit``:
    its commissioners oversee ``unit``'s subtree and the subtrees of ``covers``."""
    reason = _require_reason(reason)
    covers = list(covers)
    _require_in(township, unit, *covers)
    if unit.kind not in (Unit.Kind.TOWNSHIP, Unit.Kind.DISTRICT, Unit.Kind.COMMITTEE):
        raise ValidationError({"unit": _("A jurisdiction sits on the township, its Party committee or a district.")})
    clash = Jurisdiction.objects.filter(unit=unit).exclude(pk=getattr(jurisdiction, "pk", None))
    if clash.exists():
        raise ValidationError({"unit": _("This unit already has a jurisdiction.")})
    before = None
    if jurisdiction is None:
        jurisdiction = Jurisdiction(unit=unit, name=name)
    else:
        _require_in(township, jurisdiction.unit)
        before = {"unit": jurisdiction.unit.name, "name": jurisdiction.name}
        before["covers"] = sorted(u.name for u in jurisdiction.covers.all())
        jurisdiction.unit, jurisdiction.name = unit, name
    jurisdiction.save()
    jurisdiction.covers.set(covers)
    after = {"unit": unit.name, "name": name, "covers": sorted(u.name for u in covers)}
    _record(township, actor, "jurisdiction_set", name, reason, before=before, after=after)
    return jurisdiction


@transaction.atomic
def jurisdiction_remove(*, township: Unit, actor: User, jurisdiction: Jurisdiction, reason: str) -> None:
    reason = _require_reason(reason)
    _require_in(township, jurisdiction.unit)
    name = jurisdiction.name
    jurisdiction.delete()
    _record(township, actor, "jurisdiction_remove", name, reason)


# -- units ---------------------------------------------------------------------------------------


def units_of(township: Unit):
    """The township and every unit under it, in tree order."""
    return Unit.objects.filter(path__startswith=township.path).order_by("path")


def _check_parent(township: Unit, parent: Unit, unit: Unit | None = None) -> None:
    if not parent.path.startswith(township.path):
        raise ValidationError({"parent": _("This unit does not belong to %(township)s.") % {"township": township}})
    if unit is not None and parent.path.startswith(unit.path):
        raise ValidationError({"parent": _("A unit cannot be moved below itself or one of its own units.")})


@transaction.atomic
def unit_create(*, township: Unit, actor: User, parent: Unit, name: str, code: str, kind: str, reason: str) -> Unit:
    """A new unit under ``parent`` (a unit of ``township``); never a township."""
    reason = _require_reason(reason)
    _check_parent(township, parent)
    if kind == Unit.Kind.TOWNSHIP:
        raise ValidationError({"kind": _("The office cannot create a township.")})
    if Unit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("This code is taken.")})
    unit = Unit.objects.create(parent=parent, name=name, code=code, kind=kind)
    _record(township, actor, "unit_create", name, reason, unit=unit.pk, parent=parent.name, kind=kind)
    return unit


@transaction.atomic
def unit_update(*, township: Unit, actor: User, unit: Unit, name: str, parent: Unit | None, reason: str) -> Unit:
    """Rename ``unit`` and/or move it (with its subtree) under ``parent`` of the same township."""
    reason = _require_reason(reason)
    _require_in(township, unit)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.pk == township.pk:
        if parent is not None and parent.pk != unit.parent_id:
            raise ValidationError({"parent": _("The township itself cannot be moved.")})
        parent = unit.parent
    else:
        if parent is None:
            raise ValidationError({"parent": _("Choose the unit it belongs under.")})
        _check_parent(township, parent, unit)
    before = {"name": unit.name, "parent": unit.parent.name if unit.parent_id else ""}
    unit.name, unit.parent = name, parent
    unit.save()  # Unit.save re-roots the subtree's paths in one UPDATE when the parent changed
    after = {"name": name, "parent": parent.name if parent else ""}
    _record(township, actor, "unit_update", name, reason, unit=unit.pk, before=before, after=after)
    return unit


def unit_holdings(unit: Unit) -> list[str]:
    """What still hangs on ``unit``: sub-units, roles and business rows (readable, with counts)."""
    held = []
    for relation in Unit._meta.related_objects:
        accessor = relation.get_accessor_name()
        if relation.many_to_many:
            count = getattr(unit, accessor).count()
        else:
            count = relation.related_model._default_manager.filter(**{relation.field.name: unit}).count()
        if count:
            held.append(f"{relation.related_model._meta.verbose_name_plural} {count}")
    return held


@transaction.atomic
def unit_delete(*, township: Unit, actor: User, unit: Unit, reason: str) -> None:
    """Delete a unit that holds nothing. Units have no active flag: a unit with sub-units, members
    or business rows stays (its history would go with it) and the refusal says what it holds."""
    reason = _require_reason(reason)
    _require_in(township, unit)
    if unit.pk == township.pk:
        raise ValidationError({"unit": _("The township itself cannot be deleted.")})
    held = unit_holdings(unit)
    if held:
        raise ValidationError(
            {
                "unit": _(
                    "%(unit)s still holds %(held)s: units cannot be deactivated, and one with sub-units, "
                    "members or records cannot be deleted. Move or hand them over first."
                )
                % {"unit": unit.name, "held": "、".join(held)}
            }
        )
    _record(township, actor, "unit_delete", unit.name, reason, unit=unit.pk, parent=unit.parent.name, kind=unit.kind)
    unit.delete()
