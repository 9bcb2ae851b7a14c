"""Real Celery worker and redis-server processes for the notification tests.

Each process is started in a session (process group) of its own, so that teardown can always
SIGKILL the whole group: no pool process outlives its test, even when the test fails or has
killed the main process itself.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]


def database_url_for(name: str) -> str:
    """``DATABASE_URL`` pointing at database ``name`` (the test database pytest-django created)."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + name))


class _Group:
    process: subprocess.Popen | None = None

    def _spawn(self, command: list[str], **kwargs) -> None:
        self.process = subprocess.Popen(command, start_new_session=True, **kwargs)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the main process and everything it started (its process group)."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM (a clean shutdown), then SIGKILL the group whatever happened."""
        if self.process is None:
            return
        try:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    pass
        finally:
            self.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class CeleryWorker(_Group):
    """``celery -A config worker`` in a subprocess, against ``broker_url`` and ``database_url``."""

    def __init__(self, *, broker_url: str, database_url: str, name: str, env: dict | None = None, concurrency=1):
        self.broker_url = broker_url
        self.database_url = database_url
        self.name = name
        self.env = env or {}
        self.concurrency = concurrency
        self.log_path: Path | None = None

    def start(self, timeout: float = 90.0) -> CeleryWorker:
        handle, path = tempfile.mkstemp(prefix=f"celery-{self.name}-", suffix=".log")
        self.log_path = Path(path)
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            f"--concurrency={self.concurrency}",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            f"--hostname={self.name}@%h",
        ]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.test_settings",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.broker_url,
            "PYTHONUNBUFFERED": "1",
            **self.env,
        }
        with os.fdopen(handle, "wb") as log:
            self._spawn(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if f"{self.name}@" in self.output() and " ready." in self.output():
                return self
            if not self.running:
                raise RuntimeError(f"the worker exited before it was ready:\n{self.output()[-3000:]}")
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the worker was not ready after {timeout} s:\n{self.output()[-3000:]}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def pool_pids(self) -> list[int]:
        """The prefork pool's processes (the main process's children)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def stop(self, timeout: float = 15.0) -> None:
        try:
            super().stop(timeout)
        finally:
            if self.log_path is not None:
                self.log_path.unlink(missing_ok=True)


def free_port(ports=range(6390, 6400)) -> int:
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports}")


class RedisServer(_Group):
    """A throwaway ``redis-server`` (no persistence) that a test can stop and start again."""

    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self, timeout: float = 10.0) -> RedisServer:
        import redis

        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self._spawn(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
                return self
            except redis.RedisError:
                if not self.running:
                    raise RuntimeError(f"redis-server on port {self.port} exited") from None
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not answer")
