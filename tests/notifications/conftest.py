import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from responsibilities import services as domain


@pytest.fixture
def draft_list(personas):
    lst = domain.list_create(unit=personas.branch, month=dt.date(2026, 12, 1), title="12月清单", actor=personas.leader)
    domain.item_create(
        lst=lst,
        actor=personas.leader,
        title="主题党日",
        standard="召开并记录",
        assignee=personas.cadre,
        lead_leader=personas.leader,
        due_at=timezone.now() + dt.timedelta(days=10),
    )
    return lst


@pytest.fixture
def published_item(draft_list, personas):
    domain.list_publish(lst=draft_list, actor=personas.leader)
    return draft_list.items.get()


class BotServer:
    """A local group-bot endpoint on 127.0.0.1 that records what it receives."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.reply = {"errcode": 0, "errmsg": "ok"}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                server.requests.append({"path": self.path, "json": json.loads(body)})
                payload = json.dumps(server.reply).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def bot_server():
    server = BotServer()
    yield server
    server.close()
