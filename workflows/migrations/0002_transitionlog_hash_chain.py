"""Hash-chain the transition log: per-object sequence, previous hash, hash; existing rows are chained."""

from django.db import migrations, models


def chain_existing_rows(apps, schema_editor):
    from workflows.audit import compute_hash_v1

    TransitionLog = apps.get_model("workflows", "TransitionLog")
    ContentType = apps.get_model("contenttypes", "ContentType")
    labels = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
    key, seq, prev = None, 0, ""
    for row in TransitionLog.objects.order_by("content_type_id", "object_id", "at", "pk").iterator():
        if (row.content_type_id, row.object_id) != key:
            key, seq, prev = (row.content_type_id, row.object_id), 0, ""
        seq += 1
        row.seq, row.prev_hash = seq, prev
        row.hash = compute_hash_v1(
            content_type=labels[row.content_type_id],
            object_id=row.object_id,
            seq=seq,
            transition=row.transition,
            source=row.source,
            target=row.target,
            actor_id=row.actor_id,
            at=row.at,
            comment=row.comment,
            payload=row.payload,
            prev_hash=prev,
        )
        row.save(update_fields=["seq", "prev_hash", "hash"])
        prev = row.hash


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflows", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="transitionlog",
            name="seq",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="sequence"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="transitionlog",
            name="prev_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="previous hash"),
        ),
        migrations.AddField(
            model_name="transitionlog",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="transitionlog",
            constraint=models.UniqueConstraint(
                fields=("content_type", "object_id", "seq"), name="translog_chain_seq_unique"
            ),
        ),
    ]
