"""Celery beat for the embedded default: a thread that runs due periodic tasks in-process.

With no REDIS_URL there is no broker and no separate beat; ``manage.py runembedded`` starts
this scheduler beside the web server so sweeps, digests and outbox retries still happen.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

# Entries that catch up as soon as the process starts instead of waiting for their next slot:
# after a restart (or a fresh seed) warning colours and undelivered notifications are brought up
# to date at once. Both tasks are idempotent.
RUN_AT_START = ("sweep-deadlines", "notifications-redispatch", "audit-checkpoint")


class EmbeddedBeat(threading.Thread):
    def __init__(self, *, interval: float = 30.0):
        super().__init__(name="dutyflow-embedded-beat", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()
        self.last_run: dict[str, datetime] = {}

    def due_entries(self, now: datetime) -> list[tuple[str, dict]]:
        from celery.schedules import BaseSchedule, schedule

        due = []
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            sched = entry["schedule"]
            if not isinstance(sched, BaseSchedule):  # crontab and schedule are both BaseSchedules
                sched = schedule(sched)  # a number of seconds or a timedelta
            if name not in self.last_run:
                self.last_run[name] = now
                if name in RUN_AT_START:
                    due.append((name, entry))
                    continue
            if sched.is_due(self.last_run[name]).is_due:
                due.append((name, entry))
        return due

    def run_once(self) -> None:
        # The project's app (the engine does not import the project that configures it).
        from celery import current_app as app

        if not self.last_run:
            # What a worker does at start: import every app's tasks module (autodiscovery) and
            # CELERY_IMPORTS, so that each task the schedule names is registered.
            app.loader.import_default_modules()
        now = timezone.now()
        for name, entry in self.due_entries(now):
            self.last_run[name] = now
            try:
                app.tasks[entry["task"]].apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))
            except Exception:
                logger.exception("Periodic task %s failed", name)

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.run_once()
            except Exception:  # the scheduler itself must outlive any error
                logger.exception("Embedded beat failed to check its schedule")
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()


def start_embedded_beat() -> EmbeddedBeat:
    beat = EmbeddedBeat()
    beat.start()
    time.sleep(0)
    return beat
