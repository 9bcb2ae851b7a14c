from django.conf import settings


def broker_status(timeout: float = 1.0) -> str:
    """ "ok" when the Celery broker answers, "unavailable" otherwise.

    With no REDIS_URL the broker is Celery's in-process eager mode, which is always there.
    """
    if not settings.REDIS_URL:
        return "ok"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout)
        client.ping()
        client.close()
    except (redis.RedisError, OSError, ValueError):
        return "unavailable"
    return "ok"
