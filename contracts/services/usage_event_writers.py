"""Writing validated usage events to the database in bulk, per database vendor.

PostgreSQL: psycopg 3's COPY streams rows into a temporary staging table, then
one INSERT ... SELECT ... ON CONFLICT (source, event_id) DO NOTHING moves them.
COPY cannot skip duplicates itself, and the staging table lets the database
tell how many rows were new (inserted) and how many were already there
(staged minus inserted, duplicates inside the batch included).

SQLite (development): bulk_create(ignore_conflicts=True) in batches, counting
what was inserted from the connection's change counter.

Both must run inside ``transaction.atomic`` so a refused body leaves nothing.
"""

from django.db import connection

from contracts.models import UsageEvent
from contracts.services.usage_event_rows import ROW_COLUMNS

STAGING = "usage_event_staging"
_COLUMNS = ", ".join(ROW_COLUMNS)


class PostgresEventWriter:
    def __init__(self):
        self._raw = connection.connection  # the psycopg 3 connection under Django's
        self._cursor = None
        self._copy_cm = None
        self._copy = None

    def __enter__(self):
        table = UsageEvent._meta.db_table
        self._cursor = self._raw.cursor()
        # No constraints or indexes on the staging table: COPY only appends. Temporary tables
        # are not WAL-logged, which is most of why staging costs little.
        self._cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING} "
            f"(LIKE {table} INCLUDING DEFAULTS EXCLUDING CONSTRAINTS EXCLUDING INDEXES) ON COMMIT DROP"
        )
        self._cursor.execute(f"ALTER TABLE {STAGING} DROP COLUMN id, DROP COLUMN received_at")
        self._copy_cm = self._cursor.copy(f"COPY {STAGING} ({_COLUMNS}) FROM STDIN")
        self._copy = self._copy_cm.__enter__()
        self.write_row = self._copy.write_row
        return self

    def finish(self) -> int:
        """Move the staged rows into the events table; returns how many were new."""
        self._copy_cm.__exit__(None, None, None)
        self._copy_cm = None
        table = UsageEvent._meta.db_table
        self._cursor.execute(
            f"INSERT INTO {table} ({_COLUMNS}, received_at) "
            f"SELECT {_COLUMNS}, now() FROM {STAGING} "
            "ON CONFLICT (source, event_id) DO NOTHING"
        )
        inserted = self._cursor.rowcount
        self._cursor.execute(f"DROP TABLE {STAGING}")
        return inserted

    def __exit__(self, exc_type, exc, tb):
        if self._copy_cm is not None:
            # Leaving COPY with an exception makes psycopg abort it; the transaction rolls back.
            self._copy_cm.__exit__(exc_type, exc, tb)
        if self._cursor is not None:
            self._cursor.close()
        return False


class BatchEventWriter:
    """The portable path (SQLite): bulk_create in batches, duplicates ignored."""

    BATCH = 2000

    def __init__(self):
        self._batch: list[UsageEvent] = []
        self._inserted = 0

    def __enter__(self):
        return self

    def write_row(self, row: tuple) -> None:
        self._batch.append(UsageEvent(**dict(zip(ROW_COLUMNS, row))))
        if len(self._batch) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self._batch:
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT total_changes()")
            before = cursor.fetchone()[0]
            UsageEvent.objects.bulk_create(self._batch, ignore_conflicts=True)
            cursor.execute("SELECT total_changes()")
            self._inserted += cursor.fetchone()[0] - before
        self._batch = []

    def finish(self) -> int:
        self._flush()
        return self._inserted

    def __exit__(self, exc_type, exc, tb):
        return False


def event_writer():
    return PostgresEventWriter() if connection.vendor == "postgresql" else BatchEventWriter()
