"""The plaintext tokens of DRF's table do not outlive the move to hashed tokens."""

from importlib import import_module

from django.db import connection


def test_migration_drops_the_plaintext_token_table(db):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint)")
        cursor.execute("INSERT INTO authtoken_token VALUES ('0123456789abcdef0123456789abcdef01234567', 1)")
    (operation,) = import_module("security.migrations.0001_drop_plaintext_api_tokens").Migration.operations
    with connection.cursor() as cursor:
        cursor.execute(operation.sql)
        cursor.execute(operation.sql)  # again: a database that never had the table
    assert "authtoken_token" not in connection.introspection.table_names()
