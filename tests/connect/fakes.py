"""A local fake of the WeCom and DingTalk server APIs and sign-in pages, on 127.0.0.1.

Written from the vendors' public documentation: the request parameters each call requires,
the answer shapes (``errcode`` / ``errmsg`` bodies of ``qyapi`` and ``oapi``; camel-case
bodies and HTTP 4xx ``{code, message}`` errors of ``api.dingtalk.com``) and the error codes the
clients must handle: an invalid (40014) or expired (42001; DingTalk's 88 with that sub-code)
access token, rate limiting (WeCom 45009, DingTalk 90018), a 5xx. One server answers for every
host; the tests point the settings at it. The sign-in pages list the corp's members as links
("scan and confirm"), each carrying a fresh one-time code.

``delivered`` holds the notices that reached a member: a repeat that the vendor drops (WeCom's
``enable_duplicate_check`` within its interval, DingTalk's one identical notice per member per
day) is answered but not delivered again.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class VendorFake:
    WECOM_CORP_ID = "ww-fake-corp"
    WECOM_AGENT_ID = "1000002"
    WECOM_SECRET = "wecom-secret-Zq7"
    DINGTALK_CORP_ID = "ding-fake-corp"
    DINGTALK_AGENT_ID = "3003003"
    DINGTALK_APP_KEY = "dingfakeappkey"
    DINGTALK_SECRET = "dingtalk-secret-Kx9"

    def __init__(self):
        self.lock = threading.Lock()
        # WeCom members (UserId) and DingTalk members (unionId → userid).
        self.wecom_members = {"zhangsan", "lisi"}
        self.dingtalk_members = {"union-zhangsan": "dt-zhangsan", "union-lisi": "dt-lisi"}
        self.web_member = "zhangsan"  # who the silent web authorisation signs in
        self.codes: dict[str, tuple[str, str]] = {}  # one-time code → (vendor, member)
        self.tokens: dict[str, str] = {}  # corp token → "valid" | "expired"
        self.user_tokens: dict[str, str] = {}  # DingTalk user access token → unionId
        self.token_fetches = {"wecom": 0, "dingtalk": 0}
        self.calls: list[tuple[str, str]] = []  # (method, path) of every API call
        self.sends: list[dict] = []  # every message/send and asyncsend_v2 body received
        self.delivered: list[dict] = []  # what reached a member
        self.failures: list[dict] = []  # injected: {"path": …, "status": …} or {"path": …, "errcode": …}
        self.held = threading.Event()
        self._released = threading.Event()
        self._hold_path = ""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    # -- test controls ---------------------------------------------------------------------------

    def settings(self) -> dict[str, str]:
        """The settings (and environment variables) that point the clients here."""
        return {
            "WECOM_API_BASE": self.url,
            "WECOM_OAUTH_URL": f"{self.url}/connect/oauth2/authorize",
            "WECOM_QR_LOGIN_URL": f"{self.url}/wwlogin/sso/login",
            "DINGTALK_API_BASE": self.url,
            "DINGTALK_OAPI_BASE": self.url,
            "DINGTALK_LOGIN_URL": f"{self.url}/oauth2/auth",
        }

    def fail(self, path: str, *, times: int = 1, status: int = 0, errcode: int = 0) -> None:
        """The next ``times`` calls of ``path`` answer HTTP ``status`` or ``errcode``."""
        with self.lock:
            self.failures.extend({"path": path, "status": status, "errcode": errcode} for _ in range(times))

    def expire_tokens(self) -> None:
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = "expired"

    def issue_code(self, vendor: str, member: str) -> str:
        code = secrets.token_hex(8)
        with self.lock:
            self.codes[code] = (vendor, member)
        return code

    def hold_first(self, path: str) -> None:
        """Hold the next call of ``path`` unanswered until ``release()``, then drop it (the
        request reached the vendor, which acts on it, but the sender never hears back)."""
        self._hold_path = path
        self.held.clear()
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def close(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

    # -- the vendors ------------------------------------------------------------------------------

    def _injected(self, path: str):
        with self.lock:
            for failure in self.failures:
                if failure["path"] == path:
                    self.failures.remove(failure)
                    return failure
        return None

    def _new_token(self, vendor: str) -> dict:
        token = f"{vendor}-token-{secrets.token_hex(6)}"
        with self.lock:
            self.tokens[token] = "valid"
            self.token_fetches[vendor] += 1
        return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

    def _token_error(self, token: str, vendor: str) -> dict | None:
        state = self.tokens.get(token)
        if state == "valid":
            return None
        if vendor == "dingtalk":
            if state == "expired":
                return {"errcode": 88, "sub_code": "42001", "errmsg": "access_token is expired", "sub_msg": "过期"}
            return {"errcode": 40014, "errmsg": "不合法的access_token"}
        if state == "expired":
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if not token:
            return {"errcode": 41001, "errmsg": "access_token missing"}
        return {"errcode": 40014, "errmsg": "invalid access_token"}

    def _take_code(self, code: str, vendor: str) -> str | None:
        with self.lock:
            found = self.codes.pop(code, None)
        return found[1] if found and found[0] == vendor else None

    def _deliver(self, key: tuple, body: dict) -> None:
        with self.lock:
            if any(entry["key"] == key for entry in self.delivered):
                return  # the vendor's own duplicate check drops a repeat
            self.delivered.append({"key": key, "body": body})

    def _wecom(self, method: str, path: str, query: dict, body: dict) -> tuple[int, dict]:
        if path == "/cgi-bin/gettoken":
            if query.get("corpid") != self.WECOM_CORP_ID:
                return 200, {"errcode": 40013, "errmsg": "invalid corpid"}
            if query.get("corpsecret") != self.WECOM_SECRET:
                return 200, {"errcode": 40001, "errmsg": "invalid credential"}
            return 200, self._new_token("wecom")
        error = self._token_error(query.get("access_token", ""), "wecom")
        if error:
            return 200, error
        if path == "/cgi-bin/auth/getuserinfo":
            member = self._take_code(query.get("code", ""), "wecom")
            if member is None:
                return 200, {"errcode": 40029, "errmsg": "invalid code"}
            if member not in self.wecom_members:  # a WeChat user outside the corp
                return 200, {"errcode": 0, "errmsg": "ok", "openid": f"o-{member}", "external_userid": ""}
            return 200, {"errcode": 0, "errmsg": "ok", "userid": member, "user_ticket": secrets.token_hex(8)}
        if path == "/cgi-bin/message/send" and method == "POST":
            self.sends.append(body)
            card = body.get("textcard") or {}
            if body.get("msgtype") != "textcard" or not card.get("title") or not card.get("url"):
                return 200, {"errcode": 44004, "errmsg": "empty content"}
            if str(body.get("agentid")) != self.WECOM_AGENT_ID:
                return 200, {"errcode": 40056, "errmsg": "invalid agentid"}
            touser = body.get("touser", "")
            if touser not in self.wecom_members:
                return 200, {"errcode": 81013, "errmsg": "user & party & tag all invalid", "invaliduser": touser}
            key = ("wecom", touser, card.get("title"), card.get("description"), card.get("url"))
            self._deliver(key if body.get("enable_duplicate_check") else (*key, secrets.token_hex(4)), body)
            return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"msg-{secrets.token_hex(8)}"}
        return 404, {"errcode": 404, "errmsg": "no such API"}

    def _dingtalk(self, method: str, path: str, query: dict, body: dict, headers) -> tuple[int, dict]:
        if path == "/gettoken":
            if query.get("appkey") != self.DINGTALK_APP_KEY or query.get("appsecret") != self.DINGTALK_SECRET:
                return 200, {"errcode": 40089, "errmsg": "不合法的corpid或corpsecret"}
            return 200, self._new_token("dingtalk")
        if path == "/v1.0/oauth2/userAccessToken":
            if body.get("clientId") != self.DINGTALK_APP_KEY or body.get("clientSecret") != self.DINGTALK_SECRET:
                return 400, {"code": "invalidClientIdOrSecret", "message": "无效的clientId或者clientSecret"}
            union_id = self._take_code(body.get("code", ""), "dingtalk")
            if union_id is None or body.get("grantType") != "authorization_code":
                return 400, {"code": "InvalidAuthCode", "message": "不合法的临时授权码"}
            token = f"user-{secrets.token_hex(6)}"
            with self.lock:
                self.user_tokens[token] = union_id
            return 200, {
                "accessToken": token,
                "refreshToken": secrets.token_hex(6),
                "expireIn": 7200,
                "corpId": self.DINGTALK_CORP_ID,
            }
        if path == "/v1.0/contact/users/me":
            union_id = self.user_tokens.get(headers.get("x-acs-dingtalk-access-token", ""))
            if union_id is None:
                return 401, {"code": "InvalidAuthentication", "message": "不合法的access_token"}
            return 200, {"nick": union_id, "unionId": union_id, "openId": f"open-{union_id}", "stateCode": "86"}
        error = self._token_error(query.get("access_token", ""), "dingtalk")
        if error:
            return 200, error
        if path == "/topapi/user/getbyunionid":
            userid = self.dingtalk_members.get(body.get("unionid", ""))
            if userid is None:
                return 200, {"errcode": 60121, "errmsg": "找不到该用户"}
            return 200, {"errcode": 0, "errmsg": "ok", "result": {"contact_type": 0, "userid": userid}}
        if path == "/topapi/message/corpconversation/asyncsend_v2" and method == "POST":
            self.sends.append(body)
            msg = body.get("msg") or {}
            if str(body.get("agent_id")) != self.DINGTALK_AGENT_ID:
                return 200, {"errcode": 400002, "errmsg": "agent_id 不合法"}
            if not msg.get("msgtype") or msg.get("msgtype") not in msg:
                return 200, {"errcode": 40035, "errmsg": "缺少参数 msg"}
            for userid in str(body.get("userid_list", "")).split(","):
                if userid in self.dingtalk_members.values():
                    self._deliver(("dingtalk", userid, json.dumps(msg, sort_keys=True)), body)
            return 200, {
                "errcode": 0,
                "errmsg": "ok",
                "task_id": secrets.randbelow(10**12),
                "request_id": secrets.token_hex(6),
            }
        return 404, {"errcode": 404, "errmsg": "no such API"}

    # -- the sign-in pages ------------------------------------------------------------------------

    def _sign_in_page(self, vendor: str, query: dict) -> tuple[int, str] | None:
        redirect_uri, state = query.get("redirect_uri", ""), query.get("state", "")
        if vendor == "wecom":
            if query.get("appid") != self.WECOM_CORP_ID or query.get("agentid") != self.WECOM_AGENT_ID:
                return 400, "<p>appid or agentid does not match the corp</p>"
            members = sorted(self.wecom_members | {"stranger"})
        else:
            if query.get("client_id") != self.DINGTALK_APP_KEY or query.get("response_type") != "code":
                return 400, "<p>client_id does not match the application</p>"
            members = sorted(set(self.dingtalk_members) | {"union-stranger"})
        code_name = "code" if vendor == "wecom" else "authCode"
        links = []
        for member in members:
            target = (
                f"{redirect_uri}?{urllib.parse.urlencode({code_name: self.issue_code(vendor, member), 'state': state})}"
            )
            links.append(f'<li><a href="{html.escape(target)}">扫码确认：{html.escape(member)}</a></li>')
        title = "企业微信扫码登录" if vendor == "wecom" else "钉钉登录"
        page = f'<!doctype html><html lang="zh"><head><title>{title}</title></head><body><h1>{title}</h1><ul>{"".join(links)}</ul></body></html>'
        return 200, page

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str):
                parts = urllib.parse.urlsplit(self.path)
                path = parts.path
                query = dict(urllib.parse.parse_qsl(parts.query))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else {}
                except ValueError:
                    body = {}
                if path == "/wwlogin/sso/login":
                    return self._send(*fake._sign_in_page("wecom", query), html_page=True)
                if path == "/oauth2/auth":
                    return self._send(*fake._sign_in_page("dingtalk", query), html_page=True)
                if path == "/connect/oauth2/authorize":  # inside the WeCom client: silent
                    code = fake.issue_code("wecom", fake.web_member)
                    target = f"{query.get('redirect_uri', '')}?{urllib.parse.urlencode({'code': code, 'state': query.get('state', '')})}"
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                with fake.lock:
                    fake.calls.append((method, path))
                if fake._hold_path and path == fake._hold_path:
                    fake._hold_path = ""
                    if path.endswith("message/send"):
                        fake._wecom(method, path, query, body)
                    else:
                        fake._dingtalk(method, path, query, body, self.headers)
                    fake.held.set()
                    fake._released.wait(timeout=30)
                    self.close_connection = True
                    return None
                failure = fake._injected(path)
                if failure and failure["status"]:
                    return self._send(failure["status"], {"errcode": -1, "errmsg": "server error"})
                if failure:
                    return self._send(200, {"errcode": failure["errcode"], "errmsg": "api freq out of limit"})
                if path.startswith("/cgi-bin/"):
                    return self._send(*fake._wecom(method, path, query, body))
                return self._send(*fake._dingtalk(method, path, query, body, self.headers))

            def _send(self, status: int, payload, html_page: bool = False):
                data = payload.encode() if html_page else json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8" if html_page else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

            def log_message(self, *args):
                pass

        return Handler
