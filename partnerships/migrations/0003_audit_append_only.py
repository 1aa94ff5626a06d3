"""The audit trail is append-only, held by PostgreSQL.

Row triggers refuse UPDATE and DELETE on the entries and the recorded heads,
whoever asks, including the application's own role; a statement trigger
refuses TRUNCATE. Someone who can disable triggers (a superuser) can still
change rows, which is what ``verify_audit`` is for.

Django's test framework empties every table with TRUNCATE between
transactional tests, so TRUNCATE is allowed in test databases (named test_*),
and only there. SQLite has no such triggers; the hash chain still shows any change.
"""

from django.db import migrations

TABLES = ("partnerships_auditentry", "partnerships_audithead")

CREATE_FUNCTION = r"""
CREATE OR REPLACE FUNCTION partnerships_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' AND current_database() LIKE 'test\_%' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""

CREATE_TRIGGERS = """
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
  FOR EACH ROW EXECUTE FUNCTION partnerships_audit_append_only();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
  FOR EACH STATEMENT EXECUTE FUNCTION partnerships_audit_append_only();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION, None)  # None: the SQL has literal % signs
    for table in TABLES:
        schema_editor.execute(CREATE_TRIGGERS.format(table=table), None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(DROP_TRIGGERS.format(table=table))
    schema_editor.execute("DROP FUNCTION IF EXISTS partnerships_audit_append_only();")


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0002_audit_trail")]
    operations = [migrations.RunPython(forwards, backwards)]
