"""Rows written before the hash chain existed are chained by migration 0002; rows chained the old
way (plain SHA-256) are re-signed under the audit key by 0008, which also writes the first checkpoint."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from workflows.audit import compute_hash_v1, row_hash, verify_chains, verify_log
from workflows.models import AuditCheckpoint, TransitionLog

BEFORE_CHAIN = [("workflows", "0001_initial")]
BEFORE_KEY = [("workflows", "0007_translog_cancelled_index")]


def migrate_to(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def migrate_to_the_end():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def unit_type(apps):
    return apps.get_model("contenttypes", "ContentType").objects.get_or_create(app_label="organization", model="unit")[
        0
    ]


@pytest.mark.django_db(transaction=True)
def test_migration_chains_rows_written_before_it():
    old = migrate_to(BEFORE_CHAIN)
    Log = old.get_model("workflows", "TransitionLog")
    start = timezone.now()
    for object_id, transition, minutes in [(1, "a", 0), (2, "a", 1), (1, "b", 2), (1, "c", 3)]:
        Log.objects.create(
            content_type=unit_type(old),
            object_id=object_id,
            transition=transition,
            source="",
            target=transition,
            at=start + dt.timedelta(minutes=minutes),
            payload={"n": minutes},
        )

    migrate_to_the_end()

    chained = TransitionLog.objects.filter(object_id=1).order_by("seq")
    assert [(row.seq, row.transition) for row in chained] == [(1, "a"), (2, "b"), (3, "c")]
    assert verify_chains() == []
    assert all(row.hash == row_hash(row) for row in TransitionLog.objects.all())  # signed with the key
    (checkpoint,) = AuditCheckpoint.objects.all()
    assert (checkpoint.row_count, checkpoint.position) == (4, TransitionLog.objects.latest("pk").pk)
    assert verify_log().problems == []


@pytest.mark.django_db(transaction=True)
def test_re_signing_keeps_a_broken_old_chain_broken():
    """A v1 chain edited before the upgrade is not blessed by the re-signing: its bad row stays named."""
    old = migrate_to(BEFORE_KEY)
    Log = old.get_model("workflows", "TransitionLog")
    content_type = unit_type(old)
    start = timezone.now()
    prev = {1: "", 2: ""}
    rows = []
    for seq, object_id in [(1, 1), (1, 2), (2, 1), (2, 2), (3, 2)]:
        content = {
            "content_type": "organization.unit",
            "object_id": object_id,
            "seq": seq,
            "transition": f"t{seq}",
            "source": "",
            "target": f"s{seq}",
            "actor_id": None,
            "at": start + dt.timedelta(minutes=len(rows)),
            "comment": "",
            "payload": {},
        }
        digest = compute_hash_v1(**content, prev_hash=prev[object_id])
        fields = {k: v for k, v in content.items() if k not in ("content_type", "actor_id")}
        rows.append(Log.objects.create(content_type=content_type, **fields, prev_hash=prev[object_id], hash=digest))
        prev[object_id] = digest
    edited = rows[3]  # object 2, seq 2: its comment changed without a valid hash
    with connection.cursor() as cursor:  # as the owner, past the append-only trigger of 0003
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE workflows_transitionlog DISABLE TRIGGER USER")
        cursor.execute("UPDATE workflows_transitionlog SET comment = '改过' WHERE id = %s", [edited.pk])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE workflows_transitionlog ENABLE TRIGGER USER")

    migrate_to_the_end()

    assert [b.row_id for b in verify_chains()] == [edited.pk]
    assert verify_chains(TransitionLog.objects.filter(object_id=1)) == []
    assert verify_log().problems[0].startswith(f"row {edited.pk} (organization.unit #2, seq 2)")
