"""The in-process beat of the embedded default (``manage.py runembedded``)."""

import datetime as dt

import pytest
from celery.schedules import crontab

from workflows import embedded
from workflows.embedded import EmbeddedBeat

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def schedule(settings):
    settings.CELERY_BEAT_SCHEDULE = {
        "sweep-deadlines": {"task": "workflows.tasks.sweep_deadlines", "schedule": crontab(minute="*/15")},
        "notifications-daily-digest": {
            "task": "notifications.tasks.send_daily_digests",
            "schedule": crontab(minute=30, hour=8),
        },
    }
    return settings.CELERY_BEAT_SCHEDULE


def names(entries):
    return [name for name, _entry in entries]


def test_sweep_catches_up_at_start_and_the_digest_waits_for_its_time(schedule, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 7, 0, 5, tzinfo=SHANGHAI), tick=False)
    beat = EmbeddedBeat()
    assert names(beat.due_entries(embedded.timezone.now())) == ["sweep-deadlines"]
    assert beat.due_entries(embedded.timezone.now()) == []


def test_entries_come_due_at_their_crontab_slots(schedule, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 8, 20, tzinfo=SHANGHAI), tick=False)
    beat = EmbeddedBeat()
    beat.due_entries(embedded.timezone.now())
    beat.last_run["sweep-deadlines"] = embedded.timezone.now()
    time_machine.move_to(dt.datetime(2026, 12, 7, 8, 29, tzinfo=SHANGHAI), tick=False)
    assert beat.due_entries(embedded.timezone.now()) == []
    time_machine.move_to(dt.datetime(2026, 12, 7, 8, 31, tzinfo=SHANGHAI), tick=False)
    assert names(beat.due_entries(embedded.timezone.now())) == ["sweep-deadlines", "notifications-daily-digest"]


def test_a_failing_task_is_logged_and_the_others_still_run(schedule, monkeypatch, caplog):
    ran = []

    class Task:
        def __init__(self, name, fails):
            self.name, self.fails = name, fails

        def apply(self, args=(), kwargs=None):
            ran.append(self.name)
            if self.fails:
                raise RuntimeError("boom")

    from config.celery import app

    tasks = {
        "workflows.tasks.sweep_deadlines": Task("sweep", fails=True),
        "notifications.tasks.send_daily_digests": Task("digest", fails=False),
    }
    monkeypatch.setattr(type(app), "tasks", property(lambda self: tasks))
    beat = EmbeddedBeat()
    beat.last_run["notifications-daily-digest"] = embedded.timezone.now() - dt.timedelta(days=3)
    beat.run_once()
    assert ran == ["sweep", "digest"]
    assert "Periodic task sweep-deadlines failed" in caplog.text


def test_the_project_schedule_runs_in_process(db, caplog):
    """Every entry of the real CELERY_BEAT_SCHEDULE is understood; the catch-up tasks really run."""
    beat = EmbeddedBeat()
    now = embedded.timezone.now()
    assert sorted(names(beat.due_entries(now))) == sorted(embedded.RUN_AT_START)
    for entry in beat.last_run:
        beat.last_run[entry] = now - dt.timedelta(days=400)
    assert set(names(beat.due_entries(now))) == set(beat.last_run)
    beat = EmbeddedBeat()
    beat.run_once()
    assert "failed" not in caplog.text


def test_runembedded_serves_static_files(settings):
    """``make run`` serves the pages' CSS, JavaScript and chart library itself (DEBUG is on in
    the embedded default): the core runserver it once extended answered 404 to every asset."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test import RequestFactory

    from workflows.management.commands.runembedded import Command

    settings.DEBUG = True
    handler = Command().get_handler(use_static_handler=True, insecure_serving=False)
    assert isinstance(handler, StaticFilesHandler)
    css = sorted((settings.BASE_DIR / "static").rglob("*.css"))[0]
    path = settings.STATIC_URL.lstrip("/") + str(css.relative_to(settings.BASE_DIR / "static"))
    response = handler.get_response(RequestFactory().get("/" + path))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == css.read_bytes()
