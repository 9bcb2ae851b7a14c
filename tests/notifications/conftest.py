import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from lists import services as domain


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
    """A local group-bot endpoint on 127.0.0.1 that records what it receives.

    ``requests`` lists every request received; ``answered`` counts those it answered. With
    ``hold_first()``, the first request is held unanswered until ``release()`` and then dropped
    (the connection is closed without a response), as if the sender had died waiting.
    """

    def __init__(self):
        self.requests: list[dict] = []
        self.answered = 0
        self.status = 200
        self.reply = {"errcode": 0, "errmsg": "ok"}
        self.held = threading.Event()
        self._released = threading.Event()
        self._hold_next = False
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with server._lock:
                    server.requests.append({"path": self.path, "json": json.loads(body), "headers": dict(self.headers)})
                    hold, server._hold_next = server._hold_next, False
                if hold:
                    server.held.set()
                    server._released.wait(timeout=30)
                    self.close_connection = True
                    return
                payload = json.dumps(server.reply).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                with server._lock:
                    server.answered += 1

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def hold_first(self) -> None:
        self._hold_next = True
        self.held.clear()
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def close(self):
        self.release()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def bot_server():
    server = BotServer()
    yield server
    server.close()
