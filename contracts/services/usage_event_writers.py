"""Writing validated usage events to the database in bulk, per database vendor.

PostgreSQL: psycopg 3's COPY streams rows into a temporary staging table, then
INSERT ... SELECT ... ON CONFLICT (source, event_id) DO NOTHING moves them. COPY cannot skip duplicates itself, and
the staging table lets the database tell how many rows were new (inserted) and
how many were already there (staged minus inserted, duplicates inside the
batch included).

SQLite (development): bulk_create(ignore_conflicts=True) in batches, counting
what was inserted from the connection's change counter.

Both must run inside ``transaction.atomic`` so a refused body leaves nothing.
"""

import queue
import threading

import psycopg
from django.db import connection

from contracts.models import UsageEvent
from contracts.services.usage_event_rows import ROW_COLUMNS, ROW_TYPES

STAGING = "usage_event_staging"
_COLUMNS = ", ".join(ROW_COLUMNS)


class PostgresEventWriter:
    """COPY into the events table (or through staging), in chunks, on a second thread.

    The request thread parses and validates lines and hands over chunks of row
    tuples; the copy thread stores each chunk (see ``_store``) while the
    request thread parses the next one, so
    the database's work (COPY, index maintenance) overlaps Python's instead of
    following it. Both use the one connection and transaction, never at once:
    the request thread touches the connection only before the copy thread
    starts and after it ends. Memory stays at a few chunks whatever the body.
    """

    # 20,000 rows is about 10 MB of tuples; three are alive at most (one being built,
    # one queued, one being copied): peak RSS of a 1,000,000-row load stays under 100 MB.
    # A chunk is also what a chunk with a repeated event costs twice (see _store).
    CHUNK_ROWS = 20_000

    def __init__(self):
        connection.ensure_connection()
        self._raw = connection.connection  # the psycopg 3 connection under Django's
        self._rows: list[tuple] = []
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._inserted = 0
        self._direct = True

    def __enter__(self):
        table = UsageEvent._meta.db_table
        with self._raw.cursor() as cursor:
            # No constraints or indexes on the staging table: COPY only appends. Temporary
            # tables are not WAL-logged, which is most of why staging costs little.
            cursor.execute(
                f"CREATE TEMPORARY TABLE {STAGING} "
                f"(LIKE {table} INCLUDING DEFAULTS EXCLUDING CONSTRAINTS EXCLUDING INDEXES) ON COMMIT DROP"
            )
            cursor.execute(f"ALTER TABLE {STAGING} DROP COLUMN id, DROP COLUMN received_at")
        self._thread = threading.Thread(target=self._copy_chunks, name="usage-events-copy", daemon=True)
        self._thread.start()
        return self

    def write_row(self, row: tuple) -> None:
        rows = self._rows
        rows.append(row)
        if len(rows) >= self.CHUNK_ROWS:
            self._hand_over()

    def _hand_over(self) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(self._rows)
        self._rows = []

    def finish(self) -> int:
        """Copy what is left, wait for the copy thread; returns how many events were new."""
        if self._rows:
            self._hand_over()
        self._stop()
        if self._error is not None:
            raise self._error
        with self._raw.cursor() as cursor:
            # ON COMMIT DROP covers the usual case; this covers an enclosing transaction.
            cursor.execute(f"DROP TABLE {STAGING}")
        return self._inserted

    def __exit__(self, exc_type, exc, tb):
        self._stop()  # after an error too: the transaction then rolls everything back
        return False

    def _stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    # -- the copy thread ------------------------------------------------------

    def _copy_chunks(self) -> None:
        while (rows := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain, so the request thread never blocks on a full queue
            try:
                with self._raw.cursor() as cursor:
                    self._inserted += self._store(cursor, rows)
            except BaseException as error:  # handed to the request thread, which raises it
                self._error = error

    def _store(self, cursor, rows: list[tuple]) -> int:
        """Store one chunk; returns how many of its events were new.

        The usual chunk holds only new events, and COPY straight into the events
        table is then the cheapest load there is: no staging, and no speculative
        insertion, which ON CONFLICT makes of every row (bench/ingest.py measured
        the direct path at about twice the rate). A chunk that repeats an event
        (stored before, by a concurrent request, or earlier in the same chunk)
        stops on the unique constraint, is rolled back to its savepoint and goes
        through staging and ON CONFLICT DO NOTHING instead. After such a chunk the
        next ones go through staging too (a re-sent batch repeats every event)
        until one is free of repeats again.
        """
        if self._direct:
            cursor.execute("SAVEPOINT usage_events_chunk")
            try:
                self._copy(cursor, UsageEvent._meta.db_table, rows)
                cursor.execute("RELEASE SAVEPOINT usage_events_chunk")
                return len(rows)
            except psycopg.errors.UniqueViolation:
                cursor.execute("ROLLBACK TO SAVEPOINT usage_events_chunk")
        self._copy(cursor, STAGING, rows)
        cursor.execute(
            f"INSERT INTO {UsageEvent._meta.db_table} ({_COLUMNS}, received_at) "
            f"SELECT {_COLUMNS}, now() FROM {STAGING} ON CONFLICT (source, event_id) DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute(f"TRUNCATE {STAGING}")
        self._direct = inserted == len(rows)
        return inserted

    @staticmethod
    def _copy(cursor, table: str, rows: list[tuple]) -> None:
        # Binary: psycopg packs a datetime or an int in a few bytes, where the text
        # format would spend more Python time spelling each out than parsing the line took.
        with cursor.copy(f"COPY {table} ({_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(ROW_TYPES)
            write_row = copy.write_row
            for row in rows:
                write_row(row)


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
