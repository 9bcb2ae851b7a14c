"""Settings of the load benchmark: the project's settings plus a trivial JSON view (bench/urls.py)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
