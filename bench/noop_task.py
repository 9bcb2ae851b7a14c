"""The ceiling task of bench/notify.py: does nothing but count itself (one Redis INCR).

Loaded into the bench's worker with ``celery -A config worker --include bench.noop_task``.
"""

import os

import redis

from config.celery import app

COUNTER = "bench:noop:done"
_client = None


@app.task(name="bench.noop", acks_late=True)
def noop(n: int) -> None:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(os.environ["REDIS_URL"])
    _client.incr(COUNTER)
