"""Rows written before the hash chain existed are chained by the migration that adds it."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from workflows.audit import verify_chains
from workflows.models import TransitionLog

BEFORE = [("workflows", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_migration_chains_rows_written_before_it():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    unit_type = old.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="organization", model="unit"
    )[0]
    Log = old.get_model("workflows", "TransitionLog")
    start = timezone.now()
    for object_id, transition, minutes in [(1, "a", 0), (2, "a", 1), (1, "b", 2), (1, "c", 3)]:
        Log.objects.create(
            content_type=unit_type,
            object_id=object_id,
            transition=transition,
            source="",
            target=transition,
            at=start + dt.timedelta(minutes=minutes),
            payload={"n": minutes},
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    chained = TransitionLog.objects.filter(object_id=1).order_by("seq")
    assert [(row.seq, row.transition) for row in chained] == [(1, "a"), (2, "b"), (3, "c")]
    assert verify_chains() == []
