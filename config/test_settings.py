"""Test settings: fast hashing, local-memory cache, tasks eager only where a test asks."""

import os

os.environ.setdefault("DJANGO_ENV", "test")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REPORTS_CACHE_SECONDS = 0  # every test sees the figures of its own data
# Tasks are not run unless a test says so (the `eager_celery` fixture or a real worker).
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ.get("REDIS_URL") or "memory://"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": None}  # noqa: F405  (in memory)
