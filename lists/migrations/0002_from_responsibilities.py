"""Upgrade in place a database migrated while lists, pledges and issues were one app, ``responsibilities``.

On such a database the three apps' 0001 migrations count as applied (they replace every
``responsibilities`` migration) and their tables still carry the old prefix. This migration
renames, in place (ids and rows stay):

- the tables (``responsibilities_responsibilityitem`` → ``lists_responsibilityitem``, the
  many-to-many tables too);
- the content types (``app_label`` only: their ids stay, so every transition log row, generic
  relation, supervision case and permission keeps pointing at the same model). It runs before
  ``post_migrate`` would create new content types beside the old ones;
- viewflow's stored flow references (``Process.flow_class`` and ``Task.flow_task`` hold
  ``"app_label/module.Flow[.node]"``);
- django-celery-beat's periodic tasks (the task names moved with the modules).

The audit chains are not touched: their rows stay signed under the old label, which the moved
models keep (``workflows.audit.register_audit_label``). On a new database there is nothing to
rename and this migration does nothing.
"""

from django.db import migrations

OLD_APP = "responsibilities"

MOVED = {
    "lists": (
        "taskcategory",
        "responsibilitylist",
        "responsibilityitem",
        "progressreport",
        "evidence",
        "comment",
        "extensionrequest",
        "recurringitemtemplate",
        "listprocess",
        "itemprocess",
    ),
    "pledges": ("pledge", "pledgecheck", "pledgeevaluation", "pledgeprocess"),
    "issues": ("livelihoodissue", "issueprogress", "issuefollowup", "issuephoto", "issueprocess"),
}

FLOW_REFERENCES = (
    ("responsibilities/flows.", "lists/flows."),
    ("responsibilities/pledge_flows.", "pledges/flows."),
    ("responsibilities/issue_flows.", "issues/flows."),
)

TASK_NAMES = (
    ("responsibilities.tasks.", "lists.tasks."),
    ("responsibilities.tasks_pledges.", "pledges.tasks."),
)


def _tables_of(model) -> list[str]:
    tables = [] if model._meta.proxy else [model._meta.db_table]
    tables += [field.remote_field.through._meta.db_table for field in model._meta.local_many_to_many]
    return tables


def _rename_tables(apps, schema_editor, *, forwards: bool) -> None:
    existing = set(schema_editor.connection.introspection.table_names())
    for app_label, names in MOVED.items():
        for name in names:
            model = apps.get_model(app_label, name)
            for new in _tables_of(model):
                old = OLD_APP + new[len(app_label) :]
                source, target = (old, new) if forwards else (new, old)
                if source in existing and target not in existing:
                    schema_editor.alter_db_table(model, source, target)


def _rename_content_types(apps, *, forwards: bool) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, names in MOVED.items():
        source, target = (OLD_APP, app_label) if forwards else (app_label, OLD_APP)
        taken = set(ContentType.objects.filter(app_label=target, model__in=names).values_list("model", flat=True))
        ContentType.objects.filter(app_label=source, model__in=names).exclude(model__in=taken).update(
            app_label=target
        )
    ContentType.objects.clear_cache()


def _replace_prefixes(schema_editor, table: str, column: str, pairs, *, forwards: bool) -> None:
    """Raw SQL: viewflow's reference fields import the flow class on every read and write, and
    the old modules no longer exist."""
    quote = schema_editor.quote_name
    for old, new in pairs:
        source, target = (old, new) if forwards else (new, old)
        schema_editor.execute(
            f"UPDATE {quote(table)} SET {quote(column)} = %s || SUBSTR({quote(column)}, %s) "
            f"WHERE SUBSTR({quote(column)}, 1, %s) = %s",
            [target, len(source) + 1, len(source), source],
        )


def _rename(apps, schema_editor, *, forwards: bool) -> None:
    _rename_tables(apps, schema_editor, forwards=forwards)
    _rename_content_types(apps, forwards=forwards)
    process = apps.get_model("viewflow", "Process")._meta.db_table
    task = apps.get_model("viewflow", "Task")._meta.db_table
    _replace_prefixes(schema_editor, process, "flow_class", FLOW_REFERENCES, forwards=forwards)
    _replace_prefixes(schema_editor, task, "flow_task", FLOW_REFERENCES, forwards=forwards)
    periodic = apps.get_model("django_celery_beat", "PeriodicTask")._meta.db_table
    _replace_prefixes(schema_editor, periodic, "task", TASK_NAMES, forwards=forwards)


def forwards(apps, schema_editor):
    _rename(apps, schema_editor, forwards=True)


def backwards(apps, schema_editor):
    _rename(apps, schema_editor, forwards=False)


class Migration(migrations.Migration):
    dependencies = [
        ("lists", "0001_initial"),
        ("pledges", "0001_initial"),
        ("issues", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("viewflow", "0015_task_scheduled"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
