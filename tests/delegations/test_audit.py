"""``on_behalf_of`` is part of a row's signature; rows written without it keep theirs."""

import pytest

from workflows import audit
from workflows.audit import acting_for, row_hash, verify_chains
from workflows.models import TransitionLog

from ..lists.lists_builders import item_in_state
from ..trust.test_audit_attacks import as_owner_without_triggers, sql


@pytest.mark.django_db
def test_a_row_without_a_stand_in_is_signed_as_before(personas):
    item = item_in_state(personas, "assigned")
    row = TransitionLog.objects.for_object(item).last()
    document = audit._row_document(
        version=audit.HASH_VERSION,
        content_type=audit._label_of(row.content_type_id),
        object_id=row.object_id,
        seq=row.seq,
        transition=row.transition,
        source=row.source,
        target=row.target,
        actor_id=row.actor_id,
        at=row.at,
        comment=row.comment,
        payload=row.payload,
        prev_hash=row.prev_hash,
    )
    assert b"on_behalf_of" not in document
    assert row.hash == row_hash(row)


@pytest.mark.django_db
def test_the_person_acted_for_is_signed(personas):
    from lists import services

    item = item_in_state(personas, "assigned")
    with acting_for(personas.colleague, personas.cadre):
        services.item_accept(item=item, actor=personas.cadre)
    row = TransitionLog.objects.for_object(item).last()
    assert (row.actor, row.on_behalf_of) == (personas.colleague, personas.cadre)
    assert verify_chains() == []
    row.on_behalf_of_id = None
    assert row_hash(row) != row.hash  # dropping (or changing) the person breaks the signature
    row.on_behalf_of_id = personas.leader.pk
    assert row_hash(row) != row.hash


@pytest.mark.django_db
def test_erasing_on_behalf_of_in_the_database_is_detected(personas):
    from lists import services

    item = item_in_state(personas, "assigned")
    with acting_for(personas.colleague, personas.cadre):
        services.item_accept(item=item, actor=personas.cadre)
    row = TransitionLog.objects.for_object(item).last()
    table = TransitionLog._meta.db_table
    as_owner_without_triggers()
    sql(f"UPDATE {table} SET on_behalf_of_id = NULL WHERE id = %s", [row.pk])
    assert [b.row_id for b in verify_chains()] == [row.pk]


@pytest.mark.django_db
def test_acting_for_names_only_the_persons_own_rows(personas):
    """A row whose actor is not the person (the system, another user) is left as it is."""
    item = item_in_state(personas, "assigned")
    with acting_for(personas.colleague, personas.cadre):
        entry = audit.append_log(item, transition="note", source="assigned", target="assigned", actor=None)
    assert (entry.actor, entry.on_behalf_of) == (None, None)
