"""Sign-in with, and personal work notices through, WeCom (企业微信) and DingTalk (钉钉).

A township's office configures its corp once per vendor (``VendorApp``); a person is linked to
exactly one user id of each vendor (``AccountLink``) by the office, or by themselves after a
password sign-in. Nothing is called for a township that has not configured a vendor, and no
account is ever made from a vendor's identity.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    WECOM = "wecom", _("WeCom")  # 企业微信 (or 政务微信)
    DINGTALK = "dingtalk", _("DingTalk")  # 钉钉 (or 浙政钉)


class VendorAppQuerySet(models.QuerySet):
    def configured(self) -> VendorAppQuerySet:
        """Apps with every credential filled in: the only ones anything is called for."""
        return self.exclude(corp_id="").exclude(agent_id="").exclude(secret="").filter(enabled=True)


class VendorApp(models.Model):
    """A township's self-built application (自建应用) in its corp, at one vendor.

    WeCom: corp id (企业ID), agent id (AgentId) and the app's Secret; DingTalk: corp id, agent id,
    AppKey (the OAuth ``client_id``) and AppSecret. The secret is write-only: forms never show
    it, the admin leaves it out, logs never carry it. The corp access token is kept here until it
    expires, so that the web processes and the workers share one.
    """

    township = models.ForeignKey(
        "organization.Unit", on_delete=models.CASCADE, related_name="vendor_apps", verbose_name=_("township")
    )
    provider = models.CharField(_("platform"), max_length=10, choices=Provider.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    corp_id = models.CharField(_("corp ID"), max_length=64, blank=True)
    agent_id = models.CharField(_("agent ID"), max_length=32, blank=True)
    app_key = models.CharField(
        _("app key"),
        max_length=64,
        blank=True,
        help_text=_("DingTalk only: the AppKey (Client ID) of the application."),
    )
    secret = models.CharField(_("app secret"), max_length=200, blank=True)
    access_token = models.CharField(_("access token"), max_length=512, blank=True, editable=False)
    access_token_expires_at = models.DateTimeField(_("access token expires at"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = VendorAppQuerySet.as_manager()

    class Meta:
        verbose_name = _("WeCom / DingTalk application")
        verbose_name_plural = _("WeCom / DingTalk applications")
        constraints = [models.UniqueConstraint(fields=["township", "provider"], name="unique_vendor_app")]

    def __str__(self) -> str:
        return f"{self.township} · {self.get_provider_display()}"

    def __repr__(self) -> str:  # never the secret or the token
        return f"<VendorApp {self.pk} {self.provider} township={self.township_id}>"

    @property
    def is_configured(self) -> bool:
        return bool(self.enabled and self.corp_id and self.agent_id and self.secret)

    @property
    def client_id(self) -> str:
        """What the vendor's OAuth page calls the application: the corp id for WeCom, the
        AppKey for DingTalk."""
        return self.app_key if self.provider == Provider.DINGTALK else self.corp_id

    def token_valid(self, now: dt.datetime) -> bool:
        return bool(self.access_token and self.access_token_expires_at and self.access_token_expires_at > now)

    # A token is refreshed this long before the vendor says it ends (7200 s): no call is made
    # with a token that dies on the way.
    TOKEN_MARGIN = dt.timedelta(minutes=5)

    def store_token(self, token: str, expires_in: int) -> None:
        self.access_token = token
        self.access_token_expires_at = timezone.now() + dt.timedelta(seconds=int(expires_in)) - self.TOKEN_MARGIN
        VendorApp.objects.filter(pk=self.pk).update(
            access_token=self.access_token, access_token_expires_at=self.access_token_expires_at
        )

    def forget_token(self, token: str) -> None:
        """Drop ``token`` (the vendor called it expired or invalid), unless another process has
        already stored a newer one."""
        VendorApp.objects.filter(pk=self.pk, access_token=token).update(access_token="", access_token_expires_at=None)
        self.access_token, self.access_token_expires_at = "", None


class AccountLinkQuerySet(models.QuerySet):
    def reachable(self, provider: str, users) -> AccountLinkQuerySet:
        """Links of ``users`` (an expression or ids) whose township has ``provider`` configured."""
        configured = VendorApp.objects.configured().filter(provider=provider, township=models.OuterRef("township"))
        return self.filter(provider=provider, user=users).filter(models.Exists(configured))


class AccountLink(models.Model):
    """A Dutyflow account and the one user id (UserId) it has in a township's corp."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_links", verbose_name=_("user")
    )
    township = models.ForeignKey(
        "organization.Unit", on_delete=models.CASCADE, related_name="account_links", verbose_name=_("township")
    )
    provider = models.CharField(_("platform"), max_length=10, choices=Provider.choices)
    external_id = models.CharField(_("user ID on the platform"), max_length=64)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("linked by")
    )
    linked_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    objects = AccountLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("account link")
        verbose_name_plural = _("account links")
        ordering = ["provider", "external_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "provider"], name="unique_link_per_user"),
            models.UniqueConstraint(fields=["township", "provider", "external_id"], name="unique_link_per_id"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_provider_display()} {self.external_id}"
