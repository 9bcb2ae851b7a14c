"""On PostgreSQL, a trigger refuses UPDATE and DELETE on the transition log (no-op elsewhere)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION workflows_transitionlog_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'workflows_transitionlog is append-only: %% refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS workflows_transitionlog_append_only ON workflows_transitionlog;
CREATE TRIGGER workflows_transitionlog_append_only
    BEFORE UPDATE OR DELETE ON workflows_transitionlog
    FOR EACH ROW EXECUTE FUNCTION workflows_transitionlog_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS workflows_transitionlog_append_only ON workflows_transitionlog;
DROP FUNCTION IF EXISTS workflows_transitionlog_refuse_change();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [("workflows", "0002_transitionlog_hash_chain")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
