"""A database created at commit 380f2f8, when lists, pledges and issues were one app
(``responsibilities``), upgrades in place: ``migrate`` with today's code keeps every row and id,
renames the tables, content types, flow references and beat tasks, viewflow loads the flows,
the audit chains and the checkpoint still verify, and work goes on.

The fixture is built by ``scripts/make_split_fixture.sh`` (the demo, a few transitions, a beat
task under its old name and a signed checkpoint, under the test settings' audit key). The
migration and the checks run in subprocesses against a copy of it, beside the test database.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "db_at_380f2f8.sqlite3.gz"
OLD = "responsibilities"
APPS = {app: set(models) for app, models in import_module("lists.migrations.0002_from_responsibilities").MOVED.items()}
PROXIES = {"pledgeprocess", "issueprocess"}
M2M = {"lists": ["responsibilityitem_co_handlers"], "issues": ["livelihoodissue_co_units"]}

AFTER = """
from django.contrib.contenttypes.models import ContentType
from viewflow.workflow.models import Process, Task

from issues.flows import IssueFlow
from lists import services
from lists.flows import ItemFlow, ListFlow
from lists.models import ResponsibilityItem
from organization.scoping import leaders_of
from pledges.flows import PledgeFlow
from workflows.audit import verify_log, write_checkpoint
from workflows.models import TransitionLog

flows = {ItemFlow, ListFlow, PledgeFlow, IssueFlow}
assert {process.flow_class for process in Process.objects.all()} == flows
assert all(task.flow_task is not None for task in Task.objects.all())
item = ResponsibilityItem.objects.get(pk=ITEM)
log = TransitionLog.objects.for_object(item)
assert log.count() == LOG_ROWS, log.count()
leader = leaders_of(item.list.unit).exclude(pk=item.assignee_id).first()
services.item_verify(item=item, actor=leader)
assert TransitionLog.objects.for_object(item).count() == LOG_ROWS + 1
assert ContentType.objects.get_for_model(item).pk == ITEM_CT
result = verify_log()
assert result.intact, result.problems
assert write_checkpoint() is not None
assert verify_log().intact
print("ok")
"""


def _env(database: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DATABASE_URL=f"sqlite:///{database}", DJANGO_SETTINGS_MODULE="config.test_settings", DJANGO_ENV="test")
    return env


def _manage(database: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=_env(database), capture_output=True, text=True, timeout=600
    )


def _counts(db: sqlite3.Connection, prefix_of) -> dict[str, int]:
    counts = {}
    for app, models in APPS.items():
        tables = [m for m in models if m not in PROXIES] + M2M.get(app, [])
        for table in tables:
            counts[table] = db.execute(f'SELECT count(*) FROM "{prefix_of(app)}_{table}"').fetchone()[0]
    return counts


@pytest.fixture
def old_database(tmp_path) -> Path:
    database = tmp_path / "db.sqlite3"
    with gzip.open(FIXTURE) as source, database.open("wb") as target:
        shutil.copyfileobj(source, target)
    return database


def test_database_of_one_responsibilities_app_upgrades_in_place(old_database):
    db = sqlite3.connect(old_database)
    before = _counts(db, lambda app: OLD)
    content_types = dict(db.execute("SELECT model, id FROM django_content_type WHERE app_label = ?", [OLD]))
    log_rows = db.execute("SELECT count(*) FROM workflows_transitionlog").fetchone()[0]
    item, item_log = db.execute(
        "SELECT object_id, count(*) FROM workflows_transitionlog "
        "WHERE content_type_id = ? AND object_id IN "
        f"(SELECT id FROM {OLD}_responsibilityitem WHERE state = 'submitted') GROUP BY object_id ORDER BY object_id",
        [content_types["responsibilityitem"]],
    ).fetchone()
    db.close()
    assert sum(before.values()) > 300 and log_rows > 400

    migrated = _manage(old_database, "migrate", "--no-input")
    assert migrated.returncode == 0, migrated.stderr

    db = sqlite3.connect(old_database)
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not [t for t in tables if t.startswith(f"{OLD}_")]
    assert _counts(db, lambda app: app) == before
    assert db.execute("SELECT count(*) FROM workflows_transitionlog").fetchone()[0] == log_rows
    # Same ids, new app labels: the log, generic relations and permissions still point right.
    after = {model: (app, pk) for app, model, pk in db.execute("SELECT app_label, model, id FROM django_content_type")}
    for app, models in APPS.items():
        for model in models:
            assert after[model] == (app, content_types[model])
    assert not db.execute("SELECT count(*) FROM django_content_type WHERE app_label = ?", [OLD]).fetchone()[0]
    for column, table in (("flow_class", "viewflow_process"), ("flow_task", "viewflow_task")):
        assert not db.execute(f"SELECT count(*) FROM {table} WHERE {column} LIKE ?", [f"{OLD}/%"]).fetchone()[0]
    assert dict(db.execute("SELECT name, task FROM django_celery_beat_periodictask")) == {
        "generate-monthly-lists": "lists.tasks.generate_monthly_lists",
        "pledges-self-check-reminders": "pledges.tasks.remind_pledge_self_checks",
    }
    db.close()

    verified = _manage(old_database, "verify_audit")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    script = (
        AFTER.replace("ITEM_CT", str(content_types["responsibilityitem"]))
        .replace("LOG_ROWS", str(item_log))
        .replace("ITEM", str(item))
    )
    carried_on = _manage(old_database, "shell", "-c", script)
    assert carried_on.returncode == 0 and carried_on.stdout.strip().endswith("ok"), carried_on.stderr


def test_a_new_database_gets_the_new_tables_only(tmp_path):
    database = tmp_path / "new.sqlite3"
    migrated = _manage(database, "migrate", "--no-input")
    assert migrated.returncode == 0, migrated.stderr
    db = sqlite3.connect(database)
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"lists_responsibilityitem", "pledges_pledge", "issues_livelihoodissue"} <= tables
    assert not [t for t in tables if t.startswith(f"{OLD}_")]
    applied = {(app, name) for app, name in db.execute("SELECT app, name FROM django_migrations")}
    # (Django records the replaced responsibilities migrations as applied too, as for any squash.)
    assert {("lists", "0001_initial"), ("lists", "0002_from_responsibilities")} <= applied
