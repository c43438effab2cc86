"""Append-only in the database, and the one guarded way round it.

PostgreSQL: triggers on the audit table refuse UPDATE, DELETE and TRUNCATE unless the
transaction set ``SET LOCAL audit.allow_purge = 'on'`` (read with
``current_setting('audit.allow_purge', true)``); UPDATE is refused always. INSERT is never
blocked, so a restore into an empty database loads the trail.

SQLite: triggers refuse UPDATE always and DELETE unless the SQL function
``audit_purge_allowed()`` answers 1. The function exists only on the application's own
connections (registered when Django opens one) and answers 1 only inside
:func:`purge_allowed`; any other program deleting from the table gets an error.

:func:`purge_allowed` is used by the retention command (``manage.py purge_audit``) and by the
test suite's teardown (the root ``conftest.py``: tables are emptied between transactional and
browser tests). Nothing else may use it.
"""

from contextlib import contextmanager

from django.db import connections, transaction

TABLE = "audit_auditentry"

POSTGRESQL_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $body$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE')
           AND coalesce(current_setting('audit.allow_purge', true), '') = 'on' THEN
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'The audit trail is append-only: % on % refused.', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END;
    $body$
    """,
    f"DROP TRIGGER IF EXISTS audit_append_only_rows ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_append_only_truncate ON {TABLE}",
    f"""CREATE TRIGGER audit_append_only_rows BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    f"""CREATE TRIGGER audit_append_only_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_append_only_rows ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_append_only_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
]

SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_append_only_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: UPDATE refused.'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_append_only_delete BEFORE DELETE ON {TABLE}
        WHEN audit_purge_allowed() IS NOT 1
        BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: DELETE refused.'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_append_only_update",
    "DROP TRIGGER IF EXISTS audit_append_only_delete",
]


def install_sql(vendor: str) -> list[str]:
    return {"postgresql": POSTGRESQL_INSTALL, "sqlite": SQLITE_INSTALL}.get(vendor, [])


def remove_sql(vendor: str) -> list[str]:
    return {"postgresql": POSTGRESQL_REMOVE, "sqlite": SQLITE_REMOVE}.get(vendor, [])


def install_triggers(connection) -> None:
    with connection.cursor() as cursor:
        for statement in install_sql(connection.vendor):
            cursor.execute(statement)


def remove_triggers(connection) -> None:
    with connection.cursor() as cursor:
        for statement in remove_sql(connection.vendor):
            cursor.execute(statement)


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """``connection_created``: give each SQLite connection ``audit_purge_allowed()``."""
    if connection.vendor != "sqlite":
        return
    connection.audit_purge_allowed = False
    connection.connection.create_function(
        "audit_purge_allowed", 0, lambda: 1 if getattr(connection, "audit_purge_allowed", False) else 0
    )


@contextmanager
def purge_allowed(using: str = "default"):
    """Inside: this transaction may delete audit entries (and, on PostgreSQL, truncate the
    table). Opens a transaction (or a savepoint in the current one); the permission ends with
    the block."""
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL audit.allow_purge = 'on'")
            yield
            # Inside an outer transaction the setting would outlive this block: switch it off.
            # (After an error, rolling back to the block's savepoint undoes it anyway.)
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL audit.allow_purge = 'off'")
        elif connection.vendor == "sqlite":
            connection.ensure_connection()
            if not hasattr(connection, "audit_purge_allowed"):  # opened before the app was ready
                register_sqlite_function(None, connection)
            connection.audit_purge_allowed = True
            try:
                yield
            finally:
                connection.audit_purge_allowed = False
        else:
            yield
