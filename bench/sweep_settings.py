"""Settings of ``bench/sweep.py``: the project's settings plus the throwaway timer flow's app
(viewflow finds a flow through the app that holds it)."""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "timer_flow"]  # noqa: F405
