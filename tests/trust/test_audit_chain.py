"""The transition log is hash-chained per object, verified by ``verify_audit``, append-only in PostgreSQL."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from lists import services
from workflows.audit import append_log, verify_chains, verify_object
from workflows.models import AppendOnlyError, TransitionLog

TRIGGER = "workflows_transitionlog_append_only"


def rows_of(obj):
    return list(TransitionLog.objects.for_object(obj).order_by("seq"))


def drop_trigger():
    """Within the test's transaction (PostgreSQL DDL is transactional: it comes back afterwards)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER {TRIGGER} ON workflows_transitionlog")


def verify_audit_error() -> CommandError:
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit")
    return raised.value


def test_each_row_links_to_the_previous_row_of_its_object(item):
    rows = rows_of(item)
    assert [row.seq for row in rows] == [1, 2, 3, 4]
    assert rows[0].prev_hash == ""
    assert [row.prev_hash for row in rows[1:]] == [row.hash for row in rows[:-1]]
    assert verify_object(item) == []


def test_objects_have_separate_chains(item, personas):
    rows = rows_of(item.list)
    assert [row.seq for row in rows] == [1]
    assert rows[0].prev_hash == ""


def test_extension_request_row_is_chained(item, personas):
    item = services.item_return(item=item, actor=personas.leader, reason="缺记录")
    extension = services.extension_request(
        item=item, actor=personas.cadre, new_due_at=item.due_at + dt.timedelta(days=3), reason="等待材料"
    )
    (row,) = rows_of(extension)
    assert row.transition == "request" and row.seq == 1 and len(row.hash) == 64
    assert verify_chains() == []


def test_a_row_without_hash_is_refused(item, personas):
    with pytest.raises(AppendOnlyError):
        TransitionLog.objects.create(subject=item, transition="x", source="a", target="b", actor=personas.leader)


def test_verify_audit_reports_an_intact_log(item, capsys):
    call_command("verify_audit")
    assert "Transition log intact: 5 row(s) verified." in capsys.readouterr().out


def test_raw_sql_edit_is_named_by_verify_audit(item):
    second = rows_of(item)[1]
    drop_trigger()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE workflows_transitionlog SET comment = %s WHERE id = %s", ["篡改", second.pk])
    error = verify_audit_error()
    assert error.returncode == 1
    assert f"first problem: row {second.pk} " in str(error)
    assert "was edited" in str(error)


def test_raw_sql_actor_change_is_detected(item, personas):
    first = rows_of(item)[0]
    drop_trigger()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workflows_transitionlog SET actor_id = %s WHERE id = %s", [personas.observer.pk, first.pk]
        )
    assert [b.row_id for b in verify_chains()] == [first.pk]


def test_raw_sql_delete_of_a_middle_row_is_detected(item):
    rows = rows_of(item)
    drop_trigger()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM workflows_transitionlog WHERE id = %s", [rows[1].pk])
    error = verify_audit_error()
    assert f"first problem: row {rows[2].pk} " in str(error)
    assert "missing" in str(error)


def test_rehashing_an_edited_row_still_breaks_the_next_link(item):
    from workflows.audit import row_hash

    rows = rows_of(item)
    drop_trigger()
    forged = rows[1]
    forged.comment = "伪造"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workflows_transitionlog SET comment = %s, hash = %s WHERE id = %s",
            [forged.comment, row_hash(forged), forged.pk],
        )
    assert [b.row_id for b in verify_chains()] == [rows[2].pk]


def test_append_log_continues_the_chain(item, personas):
    row = append_log(item, transition="note", source="submitted", target="submitted", actor=personas.leader)
    assert row.seq == 5 and row.prev_hash == rows_of(item)[3].hash
    assert verify_object(item) == []


def test_trigger_refuses_update(postgresql, item):
    row = rows_of(item)[0]
    with pytest.raises(IntegrityError, match="append-only: UPDATE refused"), transaction.atomic():
        with postgresql.cursor() as cursor:
            cursor.execute("UPDATE workflows_transitionlog SET comment = 'x' WHERE id = %s", [row.pk])


def test_trigger_refuses_delete(postgresql, item):
    row = rows_of(item)[0]
    with pytest.raises(IntegrityError, match="append-only: DELETE refused"), transaction.atomic():
        with postgresql.cursor() as cursor:
            cursor.execute("DELETE FROM workflows_transitionlog WHERE id = %s", [row.pk])
    assert TransitionLog.objects.filter(pk=row.pk).exists()


def test_a_second_row_at_the_same_position_is_refused(item, personas):
    """Two writers racing on one chain cannot fork it: the position is unique per object."""
    from workflows.audit import row_hash

    head = rows_of(item)[-1]
    fork = TransitionLog(
        content_type_id=head.content_type_id,
        object_id=head.object_id,
        seq=head.seq,
        prev_hash=head.prev_hash,
        transition="fork",
        source=head.source,
        target=head.target,
        actor=personas.leader,
    )
    fork.hash = row_hash(fork)
    with pytest.raises(IntegrityError), transaction.atomic():
        fork.save()


def test_bulk_create_is_refused(item):
    with pytest.raises(AppendOnlyError):
        TransitionLog.objects.bulk_create([])
