"""Thin clients of the WeCom and DingTalk server APIs, from their public documentation.

Why not a library: wechatpy (the maintained WeCom SDK) is not packaged here, and the official
DingTalk SDK (alibabacloud-dingtalk) covers only the new ``api.dingtalk.com`` calls, not the
work notice (``topapi/…/asyncsend_v2``), and pulls in the Tea runtime; the OAuth flows are not
standard OAuth 2 (WeCom exchanges the code with the corp token, DingTalk takes a camel-case
JSON body), so an OAuth library would not fit either. Each call here is a few lines of
``requests``; the base URLs come from settings, so a government edition (政务微信 / 浙政钉)
or the tests' local fakes are one setting away.

Every call raises ``VendorError``: ``transient`` says whether a retry can help (5xx, a rate
limit), ``token_rejected`` that the corp access token was expired or invalid (the caller
fetches a new one once). Secrets and tokens travel in query strings (the vendors' design):
they are cut out of every error message and of urllib3's debug log.
"""

from __future__ import annotations

import logging
import re
import urllib.parse
from collections.abc import Callable
from typing import TypeVar

import requests
from django.conf import settings
from django.utils import timezone

from .models import Provider, VendorApp

T = TypeVar("T")

_SECRET_PARAMS = re.compile(r"((?:corpsecret|appsecret|access_token|clientSecret|code)=)[^&\s'\"]+", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with the values of secret-bearing query parameters replaced by ``***``."""
    return _SECRET_PARAMS.sub(r"\1***", text)


class _RedactQueryStrings(logging.Filter):
    """urllib3 logs each request line at DEBUG level, query string included."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactQueryStrings())


class VendorError(Exception):
    def __init__(self, message: str, *, code: int | str | None = None, transient: bool = False, token_rejected=False):
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.code = code
        self.transient = transient
        self.token_rejected = token_rejected


class NotAMember(VendorError):
    """The person signed in at the vendor but is no member of the township's corp."""


class VendorClient:
    """One township's application at one vendor."""

    provider: str = ""
    timeout = 10
    TOKEN_REJECTED: frozenset[int] = frozenset()
    TRANSIENT: frozenset[int] = frozenset()

    def __init__(self, app: VendorApp, session: requests.Session | None = None):
        if not app.is_configured:
            raise VendorError(f"{app.provider} is not configured for this township")
        self.app = app
        self.session = session or requests.Session()

    # -- HTTP ------------------------------------------------------------------------------------

    def _call(self, method: str, url: str, **kwargs) -> dict:
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise VendorError(f"connection error: {exc}", transient=True) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise VendorError(f"HTTP {response.status_code}", code=response.status_code, transient=True)
        try:
            body = response.json()
        except ValueError:
            raise VendorError(f"HTTP {response.status_code}: not JSON", code=response.status_code) from None
        if not isinstance(body, dict):
            raise VendorError(f"HTTP {response.status_code}: unexpected answer")
        if response.status_code >= 400:
            # api.dingtalk.com answers errors as {"code": "...", "message": "..."} with a 4xx.
            raise VendorError(
                f"HTTP {response.status_code} {body.get('code', '')}: {body.get('message', '')}"[:300],
                code=body.get("code") or response.status_code,
            )
        errcode = body.get("errcode", 0)
        try:
            errcode = int(errcode)
        except (TypeError, ValueError):
            errcode = -1
        if errcode != 0:
            raise VendorError(
                f"error {errcode}: {body.get('errmsg', '')}"[:300],
                code=errcode,
                transient=errcode in self.TRANSIENT,
                token_rejected=errcode in self.TOKEN_REJECTED,
            )
        return body

    # -- the corp access token -----------------------------------------------------------------

    def _fetch_token(self) -> tuple[str, int]:
        raise NotImplementedError

    def token(self, *, fresh: bool = False) -> str:
        """The corp access token: the stored one until it expires, else a new one (stored)."""
        if not fresh and self.app.token_valid(timezone.now()):
            return self.app.access_token
        token, expires_in = self._fetch_token()
        self.app.store_token(token, expires_in)
        return token

    def with_token(self, call: Callable[[str], T]) -> T:
        """``call(token)``; if the vendor calls the token expired or invalid, once more with a
        new one (a second refusal is an error: the secret or the clock is wrong)."""
        token = self.token()
        try:
            return call(token)
        except VendorError as error:
            if not error.token_rejected:
                raise
            self.app.forget_token(token)
        return call(self.token(fresh=True))


class WeComClient(VendorClient):
    provider = Provider.WECOM
    # 40014 invalid access_token, 42001 access_token expired, 40082 invalid suite (token) type.
    TOKEN_REJECTED = frozenset({40014, 42001})
    # -1 system busy, 45009 API rate limit exceeded, 45033 too many concurrent calls.
    TRANSIENT = frozenset({-1, 45009, 45033})
    # One notice repeated within 4 hours is dropped by WeCom itself (a redelivery after a crash).
    DUPLICATE_CHECK_SECONDS = 4 * 3600

    @staticmethod
    def api(path: str) -> str:
        return settings.WECOM_API_BASE.rstrip("/") + path

    def _fetch_token(self) -> tuple[str, int]:
        body = self._call(
            "GET", self.api("/cgi-bin/gettoken"), params={"corpid": self.app.corp_id, "corpsecret": self.app.secret}
        )
        return body["access_token"], int(body.get("expires_in", 7200))

    def authorize_url(self, *, redirect_uri: str, state: str, qr: bool) -> str:
        """The web authorisation (inside the WeCom client) or the QR-code login page (a browser)."""
        if qr:
            query = {
                "login_type": "CorpApp",
                "appid": self.app.corp_id,
                "agentid": self.app.agent_id,
                "redirect_uri": redirect_uri,
                "state": state,
            }
            return f"{settings.WECOM_QR_LOGIN_URL}?{urllib.parse.urlencode(query)}"
        query = {
            "appid": self.app.corp_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "snsapi_base",
            "state": state,
            "agentid": self.app.agent_id,
        }
        return f"{settings.WECOM_OAUTH_URL}?{urllib.parse.urlencode(query)}#wechat_redirect"

    def user_id(self, code: str) -> str:
        """``auth/getuserinfo``: the member's UserId for a sign-in code. A non-member (an
        ``openid`` only) is refused."""
        body = self.with_token(
            lambda token: self._call(
                "GET", self.api("/cgi-bin/auth/getuserinfo"), params={"access_token": token, "code": code}
            )
        )
        user_id = body.get("userid") or body.get("UserId") or ""
        if not user_id:
            raise NotAMember("the signed-in person is not a member of the corp")
        return user_id

    def send_textcard(self, *, user_id: str, title: str, description: str, url: str) -> str:
        """``message/send`` of a text card to one member; WeCom's ``msgid``."""
        payload = {
            "touser": user_id,
            "msgtype": "textcard",
            "agentid": int(self.app.agent_id),
            "textcard": {"title": title[:128], "description": description[:512], "url": url, "btntxt": "详情"},
            "enable_duplicate_check": 1,
            "duplicate_check_interval": self.DUPLICATE_CHECK_SECONDS,
        }
        body = self.with_token(
            lambda token: self._call(
                "POST", self.api("/cgi-bin/message/send"), params={"access_token": token}, json=payload
            )
        )
        if user_id in str(body.get("invaliduser", "")).split("|"):
            raise VendorError(f"WeCom does not know the member {user_id}")
        return str(body.get("msgid", ""))


class DingTalkClient(VendorClient):
    provider = Provider.DINGTALK
    # 88 authentication failed (sub-code 40014 / 42001), 40014 invalid token, 42001 expired.
    TOKEN_REJECTED = frozenset({88, 40014, 42001})
    # -1 system busy; 90002/90005/90006/90018: call frequency limits.
    TRANSIENT = frozenset({-1, 90002, 90005, 90006, 90018})
    NO_SUCH_USER = 60121

    def __init__(self, app: VendorApp, session: requests.Session | None = None):
        super().__init__(app, session)
        if not app.app_key:
            raise VendorError("DingTalk needs the application's AppKey")

    @staticmethod
    def oapi(path: str) -> str:
        return settings.DINGTALK_OAPI_BASE.rstrip("/") + path

    @staticmethod
    def api(path: str) -> str:
        return settings.DINGTALK_API_BASE.rstrip("/") + path

    def _fetch_token(self) -> tuple[str, int]:
        body = self._call(
            "GET", self.oapi("/gettoken"), params={"appkey": self.app.app_key, "appsecret": self.app.secret}
        )
        return body["access_token"], int(body.get("expires_in", 7200))

    def authorize_url(self, *, redirect_uri: str, state: str, qr: bool = True) -> str:
        query = {
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "client_id": self.app.app_key,
            "scope": "openid",
            "state": state,
            "prompt": "consent",
        }
        return f"{settings.DINGTALK_LOGIN_URL}?{urllib.parse.urlencode(query)}"

    def user_id(self, code: str) -> str:
        """The corp member behind a sign-in ``authCode``: ``userAccessToken``, then
        ``contact/users/me`` (the person's unionId), then ``topapi/user/getbyunionid``."""
        grant = self._call(
            "POST",
            self.api("/v1.0/oauth2/userAccessToken"),
            json={
                "clientId": self.app.app_key,
                "clientSecret": self.app.secret,
                "code": code,
                "grantType": "authorization_code",
            },
        )
        me = self._call(
            "GET", self.api("/v1.0/contact/users/me"), headers={"x-acs-dingtalk-access-token": grant["accessToken"]}
        )
        union_id = me.get("unionId", "")
        if not union_id:
            raise VendorError("DingTalk named no unionId")
        try:
            body = self.with_token(
                lambda token: self._call(
                    "POST",
                    self.oapi("/topapi/user/getbyunionid"),
                    params={"access_token": token},
                    json={"unionid": union_id},
                )
            )
        except VendorError as error:
            if error.code == self.NO_SUCH_USER:
                raise NotAMember("the signed-in person is not a member of the corp") from None
            raise
        result = body.get("result") or {}
        # contact_type 1 is an external contact, not a member of the corp.
        if not result.get("userid") or result.get("contact_type", 0) != 0:
            raise NotAMember("the signed-in person is not a member of the corp")
        return result["userid"]

    def send_work_notice(self, *, user_id: str, title: str, text: str, url: str) -> str:
        """``asyncsend_v2`` of an action card to one member; DingTalk's ``task_id``."""
        markdown = f"### {title}\n\n{text}" if title else text
        payload = {
            "agent_id": int(self.app.agent_id),
            "userid_list": user_id,
            "msg": {
                "msgtype": "action_card",
                "action_card": {
                    "title": title or text[:30],
                    "markdown": markdown,
                    "single_title": "查看详情",
                    "single_url": url,
                },
            },
        }
        body = self.with_token(
            lambda token: self._call(
                "POST",
                self.oapi("/topapi/message/corpconversation/asyncsend_v2"),
                params={"access_token": token},
                json=payload,
            )
        )
        return str(body.get("task_id", ""))


CLIENTS: dict[str, type[VendorClient]] = {Provider.WECOM: WeComClient, Provider.DINGTALK: DingTalkClient}


def client_for(app: VendorApp) -> VendorClient:
    return CLIENTS[app.provider](app)
