"""The production roles of the README: the application's role logs transitions and writes
checkpoints, and can neither change, delete nor truncate the log, nor turn its triggers off."""

import re
import secrets
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from lists import services
from workflows.audit import verify_log, write_checkpoint
from workflows.models import AuditCheckpoint, TransitionLog

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def readme_grants() -> list[str]:
    """The SQL block the README says to run after every migrate."""
    block = README.split("After every `migrate`", 1)[1].split("```sql", 1)[1].split("```", 1)[0]
    return [s.strip() for s in re.sub(r"--[^\n]*", "", block).split(";") if s.strip()]


@pytest.fixture
def app_role(postgresql):
    """A role granted exactly what the README grants, in effect for the rest of the test."""
    name = f"dutyflow_app_{secrets.token_hex(4)}"
    with postgresql.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"CREATE ROLE {name}")  # rolled back with the test's transaction
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {name}")
        for statement in readme_grants():
            cursor.execute(statement.replace(" TO dutyflow", f" TO {name}").replace(" FROM dutyflow", f" FROM {name}"))
        cursor.execute(f"SET LOCAL ROLE {name}")
    yield name
    with postgresql.cursor() as cursor:
        cursor.execute("RESET ROLE")


def refused(statement):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def test_the_application_role_logs_and_checkpoints(item, personas, app_role):
    services.item_verify(item=item, actor=personas.leader)
    checkpoint = write_checkpoint()
    assert checkpoint is not None and checkpoint.row_count == TransitionLog.objects.count() == 6
    assert verify_log().problems == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE workflows_transitionlog SET comment = 'x'",
        "UPDATE workflows_transitionlog SET id = id",
        "DELETE FROM workflows_transitionlog",
        "TRUNCATE workflows_transitionlog",
        "ALTER TABLE workflows_transitionlog DISABLE TRIGGER USER",
        "UPDATE workflows_auditcheckpoint SET row_count = 0",
        "DELETE FROM workflows_auditcheckpoint",
        "TRUNCATE workflows_auditcheckpoint",
        "ALTER TABLE workflows_auditcheckpoint DISABLE TRIGGER USER",
    ],
)
def test_the_application_role_cannot_rewrite_the_log(item, app_role, statement):
    write_checkpoint()
    refused(statement)
    assert TransitionLog.objects.count() == 5 and AuditCheckpoint.objects.count() == 1
