"""The transition log becomes keyed and checkpointed (see workflows/audit.py).

- ``AuditCheckpoint``: signed, chained statements of the log's extent.
- Existing rows (v1, plain SHA-256) are re-signed with HMAC-SHA256 under the audit key, chain by
  chain, after checking each row the old way: a chain that does not verify keeps its rows as
  they were from its first bad row on, so ``verify_audit`` still names that row. (Re-signing
  rather than keeping a version per row leaves one verification path, and a v1 row could be
  rewritten by anyone.) Run ``verify_audit`` before upgrading: what it reports then stays reported.
- The first checkpoint covers every row re-signed here.
- PostgreSQL: TRUNCATE is refused on the log, and UPDATE, DELETE and TRUNCATE on the
  checkpoints, by triggers. The re-signing runs as the table owner and turns the log's
  append-only trigger off for its own UPDATEs, inside this migration's transaction.
"""

from django.db import migrations, models
from django.utils import timezone

CREATE_TRIGGERS = """
CREATE TRIGGER workflows_transitionlog_no_truncate
    BEFORE TRUNCATE ON workflows_transitionlog
    FOR EACH STATEMENT EXECUTE FUNCTION workflows_transitionlog_refuse_change();
CREATE OR REPLACE FUNCTION workflows_auditcheckpoint_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'workflows_auditcheckpoint is append-only: %% refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER workflows_auditcheckpoint_append_only
    BEFORE UPDATE OR DELETE ON workflows_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION workflows_auditcheckpoint_refuse_change();
CREATE TRIGGER workflows_auditcheckpoint_no_truncate
    BEFORE TRUNCATE ON workflows_auditcheckpoint
    FOR EACH STATEMENT EXECUTE FUNCTION workflows_auditcheckpoint_refuse_change();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS workflows_auditcheckpoint_no_truncate ON workflows_auditcheckpoint;
DROP TRIGGER IF EXISTS workflows_auditcheckpoint_append_only ON workflows_auditcheckpoint;
DROP FUNCTION IF EXISTS workflows_auditcheckpoint_refuse_change();
DROP TRIGGER IF EXISTS workflows_transitionlog_no_truncate ON workflows_transitionlog;
"""

APPEND_ONLY = "workflows_transitionlog_append_only"


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_TRIGGERS)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGERS)


def resign(apps, schema_editor, *, check, sign):
    """Each chain's rows that verify with ``check`` get ``sign``'s hash, linked anew."""
    Log = apps.get_model("workflows", "TransitionLog")
    ContentType = apps.get_model("contenttypes", "ContentType")
    labels = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(f"ALTER TABLE workflows_transitionlog DISABLE TRIGGER {APPEND_ONLY}")
    chain, expected, old_prev, new_prev, broken, batch = None, 1, "", "", False, []
    for row in Log.objects.order_by("content_type_id", "object_id", "seq", "pk").iterator(chunk_size=2000):
        if (row.content_type_id, row.object_id) != chain:
            chain, expected, old_prev, new_prev, broken = (row.content_type_id, row.object_id), 1, "", "", False
        if broken:
            continue
        content = {
            "content_type": labels[row.content_type_id],
            "object_id": row.object_id,
            "seq": row.seq,
            "transition": row.transition,
            "source": row.source,
            "target": row.target,
            "actor_id": row.actor_id,
            "at": row.at,
            "comment": row.comment,
            "payload": row.payload,
        }
        if row.seq != expected or row.prev_hash != old_prev or row.hash != check(**content, prev_hash=old_prev):
            broken = True  # left as it is: the keyed verification reports this row
            continue
        expected, old_prev = row.seq + 1, row.hash
        row.prev_hash, row.hash = new_prev, sign(**content, prev_hash=new_prev)
        new_prev = row.hash
        batch.append(row)
        if len(batch) >= 1000:
            Log.objects.bulk_update(batch, ["prev_hash", "hash"])
            batch = []
    if batch:
        Log.objects.bulk_update(batch, ["prev_hash", "hash"])
    if postgresql:
        schema_editor.execute(f"ALTER TABLE workflows_transitionlog ENABLE TRIGGER {APPEND_ONLY}")


def sign_with_the_key(apps, schema_editor):
    from workflows.audit import compute_hash, compute_hash_v1

    resign(apps, schema_editor, check=compute_hash_v1, sign=compute_hash)


def back_to_sha256(apps, schema_editor):
    from workflows.audit import compute_hash, compute_hash_v1

    resign(apps, schema_editor, check=compute_hash, sign=compute_hash_v1)


def first_checkpoint(apps, schema_editor):
    from workflows.audit import checkpoint_after

    Log = apps.get_model("workflows", "TransitionLog")
    Checkpoint = apps.get_model("workflows", "AuditCheckpoint")
    ContentType = apps.get_model("contenttypes", "ContentType")
    labels = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
    position = Log.objects.aggregate(last=models.Max("pk"))["last"]
    if position is None or Checkpoint.objects.exists():
        return
    rows = Log.objects.order_by("pk").values_list("content_type_id", "object_id", "seq", "prev_hash", "hash")
    labelled = ((labels[ct], oid, seq, prev, digest) for ct, oid, seq, prev, digest in rows.iterator(chunk_size=5000))
    Checkpoint.objects.create(**checkpoint_after(None, labelled, position=position, at=timezone.now()))





class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflows", "0007_translog_cancelled_index"),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditCheckpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveBigIntegerField(verbose_name='last log row covered')),
                ('row_count', models.PositiveBigIntegerField(verbose_name='log rows covered')),
                ('heads_digest', models.CharField(max_length=64, verbose_name="digest of the chains' last rows")),
                ('at', models.DateTimeField(default=timezone.now, verbose_name='at')),
                ('prev_signature', models.CharField(blank=True, max_length=64, verbose_name='previous signature')),
                ('signature', models.CharField(max_length=64, verbose_name='signature')),
            ],
            options={
                'verbose_name': 'audit checkpoint',
                'verbose_name_plural': 'audit checkpoints',
                'ordering': ['pk'],
                'constraints': [models.UniqueConstraint(fields=('prev_signature',), name='auditcheckpoint_one_successor')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(sign_with_the_key, back_to_sha256),
        migrations.RunPython(first_checkpoint, migrations.RunPython.noop),
    ]
