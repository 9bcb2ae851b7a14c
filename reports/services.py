"""The one write of the reports app: a township office edits its scoring scheme (考核评分办法)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from organization.models import AdministrativeChange, Unit, User

from .models import SCHEME_SECTIONS, ScoringScheme

#: The fields the office edits (every section of the scheme).
SCHEME_FIELDS = tuple(name for _label, fields in SCHEME_SECTIONS for name in fields)


def _plain(value):
    return f"{value:.2f}" if isinstance(value, Decimal) else value


@transaction.atomic
def scoring_scheme_save(*, township: Unit, actor: User, year: int, values: dict, reason: str) -> ScoringScheme:
    """Set ``township``'s scheme of ``year`` (created from the one in force if it has none) and
    record what changed, with ``reason``, in the township's change history. Caller checked that
    ``actor`` administers ``township``; the values were validated (weights add up to 100)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: every change is recorded with its reason.")})
    scheme = ScoringScheme.objects.select_for_update().filter(township=township, year=year).first()
    before = scheme or ScoringScheme.for_year(year, township=township)
    old = {name: getattr(before, name) for name in SCHEME_FIELDS}
    if scheme is None:
        scheme = ScoringScheme(township=township, year=year, **old)
    for name in SCHEME_FIELDS:
        if name in values:
            setattr(scheme, name, values[name])
    scheme.full_clean()
    scheme.save()
    changed = {
        name: [_plain(old[name]), _plain(getattr(scheme, name))]
        for name in SCHEME_FIELDS
        if old[name] != getattr(scheme, name)
    }
    AdministrativeChange.objects.create(
        township=township,
        actor=actor,
        action=AdministrativeChange.Action.SCORING_CHANGE,
        target=str(scheme)[:200],
        reason=reason,
        details={"year": year, "changed": changed},
    )
    return scheme
