"""Configuring a township's WeCom / DingTalk application and linking accounts; signing in.

The office's changes are recorded as ``AdministrativeChange`` rows of the township, like every
office change (``organization.office``); a secret never enters a record or a log, only the fact
that it was replaced.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from organization.models import AdministrativeChange, Unit, User
from organization.office import _record, _require_person_of, _require_reason

from .models import AccountLink, Provider, VendorApp


@transaction.atomic
def vendor_app_save(
    *,
    township: Unit,
    actor: User,
    provider: str,
    enabled: bool,
    corp_id: str,
    agent_id: str,
    app_key: str = "",
    secret: str = "",
    reason: str,
) -> VendorApp:
    """Create or change the township's application at ``provider``. An empty ``secret`` keeps
    the stored one; a new corp or secret drops the cached access token."""
    reason = _require_reason(reason)
    app, _created = VendorApp.objects.select_for_update().get_or_create(township=township, provider=provider)
    before = {"enabled": app.enabled, "corp_id": app.corp_id, "agent_id": app.agent_id, "app_key": app.app_key}
    app.enabled, app.corp_id, app.agent_id, app.app_key = enabled, corp_id.strip(), agent_id.strip(), app_key.strip()
    secret_replaced = bool(secret)
    if secret_replaced:
        app.secret = secret.strip()
    if secret_replaced or before["corp_id"] != app.corp_id or before["app_key"] != app.app_key:
        app.access_token, app.access_token_expires_at = "", None
    if provider == Provider.DINGTALK and app.enabled and not app.app_key:
        raise ValidationError({"app_key": _("DingTalk needs the application's AppKey.")})
    if app.enabled and not app.secret:
        raise ValidationError({"secret": _("Enter the application's secret.")})
    app.save()
    after = {"enabled": app.enabled, "corp_id": app.corp_id, "agent_id": app.agent_id, "app_key": app.app_key}
    _record(
        township,
        actor,
        AdministrativeChange.Action.VENDOR_APP_SAVE,
        str(app.get_provider_display()),
        reason,
        before=before,
        after=after,
        secret_replaced=secret_replaced,
    )
    return app


def _link(*, township: Unit, person: User, provider: str, external_id: str, actor: User) -> AccountLink:
    external_id = external_id.strip()
    if not external_id:
        raise ValidationError({"external_id": _("Enter the person's user ID on the platform.")})
    taken = AccountLink.objects.filter(township=township, provider=provider, external_id=external_id).exclude(
        user=person
    )
    if taken.exists():
        raise ValidationError({"external_id": _("This user ID is already linked to another account.")})
    try:
        with transaction.atomic():
            link, _created = AccountLink.objects.update_or_create(
                user=person,
                provider=provider,
                defaults={"township": township, "external_id": external_id, "linked_by": actor},
            )
    except IntegrityError:  # a concurrent link of the same id
        raise ValidationError({"external_id": _("This user ID is already linked to another account.")}) from None
    return link


@transaction.atomic
def account_link(
    *, township: Unit, actor: User, person: User, provider: str, external_id: str, reason: str
) -> AccountLink:
    """The office links ``person`` (of ``township``) to one user id of ``provider``'s corp,
    replacing the person's earlier link to that provider."""
    reason = _require_reason(reason)
    _require_person_of(township, person)
    link = _link(township=township, person=person, provider=provider, external_id=external_id, actor=actor)
    target = f"{person.username} · {link.get_provider_display()} {link.external_id}"
    _record(township, actor, AdministrativeChange.Action.ACCOUNT_LINK, target, reason)
    return link


@transaction.atomic
def account_unlink(*, township: Unit, actor: User, link: AccountLink, reason: str) -> None:
    reason = _require_reason(reason)
    if link.township_id != township.pk:
        raise ValidationError({"link": _("This link does not belong to %(township)s.") % {"township": township}})
    target = f"{link.user.username} · {link.get_provider_display()} {link.external_id}"
    link.delete()
    _record(township, actor, AdministrativeChange.Action.ACCOUNT_UNLINK, target, reason)


@transaction.atomic
def account_link_self(*, township: Unit, person: User, provider: str, external_id: str) -> AccountLink:
    """A person signed in with their password proves, by signing in at the vendor, that the
    vendor's ``external_id`` is theirs; recorded in the township's history."""
    _require_person_of(township, person)
    link = _link(township=township, person=person, provider=provider, external_id=external_id, actor=person)
    target = f"{person.username} · {link.get_provider_display()} {link.external_id}"
    _record(township, person, AdministrativeChange.Action.ACCOUNT_LINK, target, _("linked by the person themselves"))
    return link


def linked_user(*, township: Unit, provider: str, external_id: str) -> User | None:
    """The active account linked to ``external_id`` in ``township``'s corp, or None."""
    link = (
        AccountLink.objects.filter(township=township, provider=provider, external_id=external_id, user__is_active=True)
        .select_related("user")
        .first()
    )
    return link.user if link else None
