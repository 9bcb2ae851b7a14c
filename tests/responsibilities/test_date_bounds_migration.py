"""Rows stored before the date bounds (a year-1 deadline) are moved to the nearest bound by the
migration that adds the CHECK constraints, so that adding them cannot fail and the rows read again."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from responsibilities.models import ResponsibilityItem

BEFORE = [("responsibilities", "0005_item_performance_indexes")]


@pytest.mark.django_db(transaction=True)
def test_migration_moves_out_of_range_deadlines_to_the_bounds():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state([*BEFORE, ("organization", "0002_unit_webhook_kind")]).apps
    unit = old.get_model("organization", "Unit").objects.create(name="一支部", code="b1", kind="branch")
    lst = old.get_model("responsibilities", "ResponsibilityList").objects.create(
        unit=unit, month=dt.date(2026, 12, 1), title="12月"
    )
    Item = old.get_model("responsibilities", "ResponsibilityItem")
    early = Item.objects.create(list=lst, title="早", state="assigned")
    late = Item.objects.create(list=lst, title="晚", state="assigned")
    kept = Item.objects.create(list=lst, title="好", state="assigned", due_at=dt.datetime(2026, 12, 20, tzinfo=dt.UTC))
    table = Item._meta.db_table
    year_one = "0001-01-01 01:00:00+08:00" if connection.vendor == "postgresql" else "0000-12-31 17:00:00"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET due_at = %s WHERE id = %s", [year_one, early.pk])
        far = "9999-12-31 20:00:00+00:00" if connection.vendor == "postgresql" else "9999-12-31 20:00:00"
        cursor.execute(f"UPDATE {table} SET due_at = %s WHERE id = %s", [far, late.pk])

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    due = dict(ResponsibilityItem.objects.values_list("pk", "due_at"))
    assert due[early.pk] == dt.datetime(1999, 12, 31, tzinfo=dt.UTC)
    assert due[late.pk] == dt.datetime(2101, 1, 2, tzinfo=dt.UTC)
    assert due[kept.pk] == dt.datetime(2026, 12, 20, tzinfo=dt.UTC)
