"""Property: whatever the interleaving of appends, chains verify; any single edit is found at its row."""

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from organization.models import Unit
from workflows.audit import append_log, verify_chains

# Each replacement differs from anything generated (comments are at most 8 characters).
FIELDS = {"comment": "'tampered!'", "target": "'nowhere'", "transition": "'forged'", "payload": "'{}'"}

# PostgreSQL text and jsonb hold no NUL character (forms and serializers refuse it before).
COMMENTS = st.text(alphabet=st.characters(exclude_characters="\x00"), max_size=8)
appends = st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["a", "b", "c"]), COMMENTS), min_size=1, max_size=12)


@pytest.fixture
def subjects(db):
    return [Unit.objects.create(code=f"audit-prop-{n}", name=f"单位{n}", kind="branch") for n in range(3)]


def write(subjects, steps):
    rows = []
    for index, transition, comment in steps:
        rows.append(
            append_log(
                subjects[index], transition=transition, source="s", target="t", comment=comment, payload={"c": comment}
            )
        )
    return rows


@settings(max_examples=30, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=appends)
def test_interleaved_appends_always_verify(subjects, steps):
    with transaction.atomic():
        write(subjects, steps)
        assert verify_chains() == []
        transaction.set_rollback(True)


@settings(max_examples=30, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=appends, data=st.data())
def test_a_single_edit_is_found_at_its_row(subjects, steps, data):
    with transaction.atomic():
        rows = write(subjects, steps)
        victim = data.draw(st.sampled_from(rows))
        column, value = data.draw(st.sampled_from(sorted(FIELDS.items())))
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("DROP TRIGGER workflows_transitionlog_append_only ON workflows_transitionlog")
                value = f"{value}::jsonb" if column == "payload" else value
            cursor.execute(f"UPDATE workflows_transitionlog SET {column} = {value} WHERE id = %s", [victim.pk])
        assert [b.row_id for b in verify_chains()] == [victim.pk]
        transaction.set_rollback(True)
