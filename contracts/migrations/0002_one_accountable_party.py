"""At most one accountable party per agreement, area and instant, held by PostgreSQL.

An exclusion constraint over tstzrange(valid_from, valid_to) refuses two
overlapping ``A`` rows for the same agreement and area. It needs btree_gist for
the equality parts. SQLite has no such constraint; the service checks there.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE contracts_responsibilityassignment
  ADD CONSTRAINT responsibility_one_accountable
  EXCLUDE USING gist (
    agreement_id WITH =,
    area WITH =,
    tstzrange(valid_from, valid_to, '[)') WITH &&
  ) WHERE (raci = 'A');
"""
DROP = "ALTER TABLE contracts_responsibilityassignment DROP CONSTRAINT IF EXISTS responsibility_one_accountable;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
