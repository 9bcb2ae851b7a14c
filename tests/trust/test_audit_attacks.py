"""Someone who can write the database but lacks the audit key: every change ``verify_audit`` must name.

Each test first lets ``verify_audit`` pass (it signs a checkpoint), then tampers with raw SQL as
the database owner would (on PostgreSQL the owner turns the append-only triggers off inside the
test's transaction), then expects exit 1 and the first problem named.
"""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from lists import services
from lists.models import ResponsibilityItem
from workflows import audit
from workflows.models import AuditCheckpoint, TransitionLog

LOG = TransitionLog._meta.db_table
CHECKPOINTS = AuditCheckpoint._meta.db_table
ITEMS = ResponsibilityItem._meta.db_table


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def as_owner_without_triggers():
    """The table owner turns the triggers off (PostgreSQL DDL is transactional: they come back)."""
    if connection.vendor == "postgresql":
        sql("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own pending foreign-key checks first
        sql(f"ALTER TABLE {LOG} DISABLE TRIGGER USER")
        sql(f"ALTER TABLE {CHECKPOINTS} DISABLE TRIGGER USER")


def rows_of(obj):
    return list(TransitionLog.objects.for_object(obj).order_by("seq"))


def verify_audit_passes(capsys=None) -> str:
    call_command("verify_audit")
    return capsys.readouterr().out if capsys else ""


def first_problem() -> str:
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit")
    assert raised.value.returncode == 1
    message = str(raised.value)
    assert "first problem: " in message
    return message.split("first problem: ", 1)[1]


@pytest.fixture
def checkpointed(item):
    """The item's log, verified and covered by a signed checkpoint."""
    call_command("verify_audit")
    assert AuditCheckpoint.objects.count() == 1
    return item


def forge_row(head, *, transition, target, actor, digest):
    """Insert a row after ``head`` the way a script would, hashed with ``digest(document)``."""
    at = timezone.now()
    document = audit._row_document(
        version=audit.HASH_VERSION,
        content_type=audit._label_of(head.content_type_id),
        object_id=head.object_id,
        seq=head.seq + 1,
        transition=transition,
        source=head.target,
        target=target,
        actor_id=actor.pk,
        at=at,
        comment="",
        payload={},
        prev_hash=head.hash,
    )
    sql(
        f"INSERT INTO {LOG} (content_type_id, object_id, transition, source, target, actor_id, at, comment, "
        "payload, seq, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, '', '{}', %s, %s, %s)",
        [head.content_type_id, head.object_id, transition, head.target, target, actor.pk, at, head.seq + 1]
        + [head.hash, digest(document)],
    )
    return TransitionLog.objects.get(content_type_id=head.content_type_id, object_id=head.object_id, seq=head.seq + 1)


def test_an_intact_log_passes_and_is_checkpointed(item, capsys):
    out = verify_audit_passes(capsys)
    assert "Transition log intact: 5 row(s) verified." in out
    (checkpoint,) = AuditCheckpoint.objects.all()
    assert checkpoint.row_count == 5 and checkpoint.position == TransitionLog.objects.latest("pk").pk
    assert f"Signed checkpoint {checkpoint.pk}: 5 row(s)" in out
    out = verify_audit_passes(capsys)
    assert f"Matches checkpoint {checkpoint.pk}" in out and "Signed checkpoint" not in out


def test_an_edited_actor_is_named(checkpointed, personas):
    row = rows_of(checkpointed)[3]
    as_owner_without_triggers()
    sql(f"UPDATE {LOG} SET actor_id = %s WHERE id = %s", [personas.leader.pk, row.pk])
    problem = first_problem()
    assert problem.startswith(f"row {row.pk} (lists.responsibilityitem #{checkpointed.pk}, seq 4)")
    assert "was edited" in problem


@pytest.mark.parametrize(
    "digest",
    [
        pytest.param(lambda document: hashlib.sha256(document).hexdigest(), id="plain-sha256"),
        pytest.param(
            lambda document: audit.hmac.new(b"a-guessed-key", document, hashlib.sha256).hexdigest(), id="wrong-key"
        ),
    ],
)
def test_a_forged_verify_row_is_named(checkpointed, personas, digest):
    """The attacker appends "verified" by the leader and moves the item's state to match."""
    forged = forge_row(
        rows_of(checkpointed)[-1], transition="verify", target="completed", actor=personas.leader, digest=digest
    )
    sql(f"UPDATE {ITEMS} SET state = 'completed' WHERE id = %s", [checkpointed.pk])
    problem = first_problem()
    assert problem.startswith(f"row {forged.pk} ")
    assert "forged without the audit key" in problem


def test_a_chain_tail_cut_off_is_caught_by_the_checkpoint(checkpointed):
    """The submission is removed and the item put back in progress: the chain itself is consistent."""
    last = rows_of(checkpointed)[-1]
    as_owner_without_triggers()
    sql(f"DELETE FROM {LOG} WHERE id = %s", [last.pk])
    sql(f"UPDATE {ITEMS} SET state = 'in_progress' WHERE id = %s", [checkpointed.pk])
    assert audit.verify_chains() == [] and audit.state_mismatches() == []
    problem = first_problem()
    assert problem.startswith("checkpoint ")
    assert "counted 5 row(s); 4 are left: log rows were deleted" in problem


def test_a_whole_chain_deleted_is_caught_by_the_checkpoint(item, personas):
    """A chain whose subject is no logged model: only the checkpoint knows it existed."""
    with transaction.atomic():
        audit.append_log(personas.branch, transition="note", source="", target="noted", actor=personas.leader)
        audit.append_log(personas.branch, transition="note", source="noted", target="noted", actor=personas.leader)
    call_command("verify_audit")
    as_owner_without_triggers()
    sql(f"DELETE FROM {LOG} WHERE object_id = %s AND transition = 'note'", [personas.branch.pk])
    assert audit.verify_chains() == []
    assert "counted 7 row(s); 5 are left: log rows were deleted" in first_problem()


def test_an_objects_whole_log_deleted_is_named_by_its_state(item):
    """No checkpoint needed: a submitted item without log rows cannot be."""
    as_owner_without_triggers()
    sql(f"DELETE FROM {LOG} WHERE object_id = %s AND target <> 'published'", [item.pk])
    problem = first_problem()
    assert problem.startswith(f"lists.responsibilityitem #{item.pk}: state 'submitted' but it has no log row")


def test_emptying_the_log_is_caught(checkpointed):
    as_owner_without_triggers()
    if connection.vendor == "postgresql":
        sql(f"TRUNCATE {LOG}")
    else:
        sql(f"DELETE FROM {LOG}")
    assert TransitionLog.objects.count() == 0
    assert "counted 5 row(s); 0 are left: log rows were deleted" in first_problem()


def test_emptying_the_log_and_its_checkpoints_is_caught(checkpointed, capsys):
    as_owner_without_triggers()
    sql(f"DELETE FROM {LOG}")
    sql(f"DELETE FROM {CHECKPOINTS}")
    problem = first_problem()
    assert problem.startswith(f"lists.responsibilitylist #{checkpointed.list_id}: state 'published'")
    assert f"lists.responsibilityitem #{checkpointed.pk}: state 'submitted'" in capsys.readouterr().err


def test_a_state_changed_by_raw_sql_is_named(checkpointed):
    sql(f"UPDATE {ITEMS} SET state = 'completed' WHERE id = %s", [checkpointed.pk])
    problem = first_problem()
    assert problem == (
        f"lists.responsibilityitem #{checkpointed.pk}: state 'completed' but its last log row says "
        "'submitted' (the state was changed outside the application)"
    )


def test_an_edited_checkpoint_is_named(checkpointed):
    as_owner_without_triggers()
    sql(f"UPDATE {CHECKPOINTS} SET row_count = 4")
    problem = first_problem()
    assert problem.startswith("checkpoint ") and "signature does not match" in problem


def test_a_checkpoint_forged_to_bless_a_deletion_is_named(checkpointed):
    last = rows_of(checkpointed)[-1]
    previous = AuditCheckpoint.objects.get()
    as_owner_without_triggers()
    sql(f"DELETE FROM {LOG} WHERE id = %s", [last.pk])
    sql(f"UPDATE {ITEMS} SET state = 'in_progress' WHERE id = %s", [checkpointed.pk])
    left = TransitionLog.objects.order_by("pk").values_list("content_type_id", "object_id", "seq", "prev_hash", "hash")
    rows = [(audit._label_of(ct), *rest) for ct, *rest in left]
    fields = audit.checkpoint_after(None, rows, position=last.pk, at=timezone.now(), key=b"a-guessed-key")
    fields["prev_signature"] = previous.signature
    AuditCheckpoint.objects.create(**fields)
    problem = first_problem()
    assert "signature does not match" in problem


def test_a_deleted_checkpoint_in_the_middle_is_named(checkpointed, personas):
    services.item_verify(item=checkpointed, actor=personas.leader)
    call_command("verify_audit")
    first, second = AuditCheckpoint.objects.order_by("pk")
    as_owner_without_triggers()
    sql(f"DELETE FROM {CHECKPOINTS} WHERE id = %s", [first.pk])
    problem = first_problem()
    assert problem.startswith(f"checkpoint {second.pk} ") and "a checkpoint was deleted" in problem


def test_deleted_checkpoints_show_once_rows_are_old_enough(checkpointed):
    as_owner_without_triggers()
    sql(f"DELETE FROM {CHECKPOINTS}")
    call_command("verify_audit")  # within the grace period (the beat may not have run yet)
    as_owner_without_triggers()
    sql(f"DELETE FROM {CHECKPOINTS}")
    first = TransitionLog.objects.order_by("pk").first()
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        problem = first_problem()
    assert problem.startswith(f"row {first.pk} of ") and "is covered by no checkpoint" in problem


def test_checkpoints_extend_with_the_rows_written_since(checkpointed, personas):
    services.item_verify(item=checkpointed, actor=personas.leader)
    second = audit.write_checkpoint()
    first = AuditCheckpoint.objects.order_by("pk").first()
    assert second.prev_signature == first.signature
    assert (second.row_count, second.position) == (6, TransitionLog.objects.latest("pk").pk)
    assert audit.write_checkpoint() is None  # nothing new
    assert audit.verify_log().problems == []


def test_truncate_is_refused_by_the_trigger(postgresql, checkpointed):
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    for table in (LOG, CHECKPOINTS):
        with pytest.raises(IntegrityError, match="append-only: TRUNCATE refused"), transaction.atomic():
            sql(f"TRUNCATE {table}")
    assert TransitionLog.objects.count() == 5


def test_checkpoints_refuse_update_and_delete(postgresql, checkpointed):
    for statement in (f"UPDATE {CHECKPOINTS} SET row_count = 0", f"DELETE FROM {CHECKPOINTS}"):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            sql(statement)
    assert AuditCheckpoint.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_checkpoint_waits_for_a_log_writer_holding_a_lower_id(postgresql, personas):
    """Ids are taken at insert, not at commit: a checkpoint must not cover a row that commits after it."""
    from django.db import connections

    services.list_create(unit=personas.branch, month=dt.date(2026, 12, 1), title="12月清单", actor=personas.leader)
    with transaction.atomic():
        audit.append_log(personas.branch, transition="note", source="", target="noted", actor=personas.leader)
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:  # a slow writer: its row has a lower id and is not committed yet
            cursor.execute(
                f"INSERT INTO {LOG} (content_type_id, object_id, transition, source, target, at, comment, payload, "
                "seq, prev_hash, hash) SELECT content_type_id, object_id + 1000, 'slow', '', 'noted', at, '', '{}', "
                f"1, '', hash FROM {LOG} ORDER BY id LIMIT 1"
            )
        with transaction.atomic():
            audit.append_log(personas.branch, transition="note", source="noted", target="noted", actor=personas.leader)
        assert audit.write_checkpoint(wait_seconds=0.3) is None
        other.commit()
    finally:
        other.close()
    checkpoint = audit.write_checkpoint(wait_seconds=0.3)
    assert (checkpoint.row_count, checkpoint.position) == (3, TransitionLog.objects.latest("pk").pk)
