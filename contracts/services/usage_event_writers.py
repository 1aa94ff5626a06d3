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

from collections.abc import Iterable
from itertools import islice

import psycopg
from django.db import connection
from psycopg import Copy
from psycopg.copy import Writer

from contracts.models import UsageEvent
from contracts.services.usage_event_rows import ROW_COLUMNS, ROW_TYPES

STAGING = "usage_event_staging"
_COLUMNS = ", ".join(ROW_COLUMNS)


class PostgresEventWriter:
    """COPY into the events table (or through staging), in chunks, on a second thread.

    The request thread parses and validates lines and turns each row into COPY's
    binary format (psycopg's ``Copy`` with a writer that only collects the bytes);
    the copy thread sends each chunk of bytes (see ``_store``) while the request
    thread prepares the next one. So the database's work (COPY, index
    maintenance) overlaps Python's instead of following it, and the copy thread,
    which mostly waits on the socket, hardly ever needs the interpreter the
    request thread computes in. Both use the one connection and transaction,
    never at once: the request thread touches the connection only before the
    copy thread starts and after it ends (formatting needs the connection's
    adapters, not the connection). Memory stays at a few chunks whatever the body.
    """

    # 20,000 rows is about 2.5 MB of COPY data; three are alive at most (one being built,
    # one queued, one being copied). A chunk is also what a chunk with a repeated
    # event costs twice (see _store).
    CHUNK_ROWS = 20_000

    def __init__(self):
        connection.ensure_connection()
        self._raw = connection.connection  # the psycopg 3 connection under Django's
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

    def write_rows(self, rows: Iterable[tuple]) -> int:
        """Store every row the iterable yields; returns how many it yielded (staged)."""
        rows = iter(rows)
        staged = 0
        # The cursor only lends its adapters: nothing is executed on it, so it does not
        # touch the connection the copy thread is using.
        with self._raw.cursor() as formatting:
            for first in rows:  # a chunk starts only once it has a row
                chunk = _Chunk()
                # Binary: psycopg packs a datetime or an int in a few bytes, where the text
                # format would spend more Python time spelling each out than parsing the line took.
                with Copy(formatting, binary=True, writer=chunk) as copy:
                    copy.set_types(ROW_TYPES)
                    write_row = copy.write_row
                    write_row(first)
                    count = 1
                    for row in islice(rows, self.CHUNK_ROWS - 1):
                        write_row(row)
                        count += 1
                chunk.rows = count
                self._hand_over(chunk)
                staged += count
        return staged

    def _hand_over(self, chunk: "_Chunk") -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(chunk)

    def finish(self) -> int:
        """Wait for the copy thread to store what it was given; returns how many events were new."""
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
        while (chunk := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain, so the request thread never blocks on a full queue
            try:
                with self._raw.cursor() as cursor:
                    self._inserted += self._store(cursor, chunk)
            except BaseException as error:  # handed to the request thread, which raises it
                self._error = error

    def _store(self, cursor, chunk: "_Chunk") -> int:
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
                self._copy(cursor, UsageEvent._meta.db_table, chunk)
                cursor.execute("RELEASE SAVEPOINT usage_events_chunk")
                return chunk.rows
            except psycopg.errors.UniqueViolation:
                cursor.execute("ROLLBACK TO SAVEPOINT usage_events_chunk")
        self._copy(cursor, STAGING, chunk)
        cursor.execute(
            f"INSERT INTO {UsageEvent._meta.db_table} ({_COLUMNS}, received_at) "
            f"SELECT {_COLUMNS}, now() FROM {STAGING} ON CONFLICT (source, event_id) DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute(f"TRUNCATE {STAGING}")
        self._direct = inserted == chunk.rows
        return inserted

    @staticmethod
    def _copy(cursor, table: str, chunk: "_Chunk") -> None:
        with cursor.copy(f"COPY {table} ({_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
            for data in chunk.data:
                copy.write(data)


class _Chunk(Writer):
    """Rows in COPY's binary format, as psycopg's formatter hands them over, ready to send."""

    def __init__(self):
        self.data: list = []
        self.rows = 0

    def write(self, data) -> None:
        self.data.append(data)


class BatchEventWriter:
    """The portable path (SQLite): bulk_create in batches, duplicates ignored."""

    BATCH = 2000

    def __init__(self):
        self._batch: list[UsageEvent] = []
        self._inserted = 0

    def __enter__(self):
        return self

    def write_rows(self, rows: Iterable[tuple]) -> int:
        staged = 0
        for row in rows:
            self._batch.append(UsageEvent(**dict(zip(ROW_COLUMNS, row))))
            staged += 1
            if len(self._batch) >= self.BATCH:
                self._flush()
        return staged

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
