"""Ingesting observed usage events (access records) in bulk.

One request or file is one transaction: valid lines land, invalid ones are
reported by line number, events already stored (same source and event id) are
counted as duplicates, and a body refused as a whole (too large, bad CSV header)
leaves nothing behind. Nothing is published: the scope check scans new events
from its id watermark.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from contracts.selectors.usage import (
    agreement_keys_for_usage,
    agreements_reporting_usage_by,
    dataset_keys,
    organization_keys,
)
from contracts.services.usage_event_input import iter_lines
from contracts.services.usage_event_rows import (
    LINE_TOO_LONG,
    CsvLineReader,
    CsvLineRefused,
    EventRowParser,
)
from contracts.services.usage_event_writers import event_writer
from partnerships.actors import Actor
from partnerships.audit import audit_record

NDJSON = "ndjson"
CSV = "csv"
# The answer lists this many refused lines in detail; ``rejected_count`` has them all.
# A bound, so that a body of a million bad lines cannot make a million-entry answer.
MAX_REPORTED_REJECTIONS = 1000


@dataclass
class IngestReport:
    accepted: int = 0
    duplicates: int = 0
    rejected: list = field(default_factory=list)
    rejected_count: int = 0

    def reject(self, line: int, errors: dict) -> None:
        self.rejected_count += 1
        if len(self.rejected) < MAX_REPORTED_REJECTIONS:
            self.rejected.append({"line": line, "errors": errors})

    def as_dict(self) -> dict:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "rejected_count": self.rejected_count,
        }


def usage_events_ingest(
    *, actor: Actor, read: Callable[[int], bytes], body_format: str = NDJSON, max_bytes: int | None = None
) -> IngestReport:
    """Load the events of a body read through ``read(n)`` (a file's or a request's read).

    Raises BodyTooLarge past ``max_bytes`` and ValidationError for a body that is
    not events at all (bad CSV header); both roll back everything of this body.
    """
    if body_format not in (NDJSON, CSV):
        raise ValidationError({"content_type": "Send application/x-ndjson or text/csv."})
    parser = EventRowParser(
        agreements=agreement_keys_for_usage(actor), datasets=dataset_keys(), organizations=organization_keys()
    )
    # Read before the COPY opens: no query may run on the connection while it is open.
    governments = dict(agreements_reporting_usage_by(actor).values_list("pk", "government_id"))
    touched = set()
    report = IngestReport()
    lines = iter_lines(read, limit=max_bytes)
    with transaction.atomic():
        with event_writer() as writer:
            rows = (_ndjson_rows if body_format == NDJSON else _csv_rows)(lines, parser, report)
            if len(set(governments.values())) > 1:
                # Only a caller whose agreements span governments pays for noting each row's agreement.
                rows = _noting_agreements(rows, touched)
            staged = writer.write_rows(rows)
            inserted = writer.finish()
        report.accepted = inserted
        report.duplicates = staged - inserted
        if staged or report.rejected_count:
            # One entry per body, not per event: the events themselves are the record of use.
            audit_record(
                actor=actor,
                action="usage_events.ingest",
                object_type="usage_events",
                after={"format": body_format, "staged": staged, **report.as_dict(), "rejected": report.rejected[:10]},
                organization=_jurisdiction(governments, touched),
            )
    return report


def _noting_agreements(rows: Iterator[tuple], touched: set) -> Iterator[tuple]:
    add = touched.add
    for row in rows:
        add(row[3])  # agreement_id, see ROW_COLUMNS
        yield row


def _jurisdiction(governments: dict, touched: set) -> int | None:
    """The organization the audit entry is filed under, which decides which auditors read it.

    As for every other write under an agreement, that is the government party: the
    agreement's jurisdiction, not the partner's (which may lie in another province).
    A body touching the agreements of two governments has no single jurisdiction; its
    entry is filed under none and only administrators read it, rather than one
    province's auditors reading of another's agreement.
    """
    candidates = {governments[pk] for pk in touched} if touched else set(governments.values())
    return next(iter(candidates)) if len(candidates) == 1 else None


def _ndjson_rows(lines, parser: EventRowParser, report: IngestReport) -> Iterator[tuple]:
    return parser.rows_from_ndjson(lines, report.reject)


def _csv_rows(lines, parser: EventRowParser, report: IngestReport) -> Iterator[tuple]:
    reader = None
    for number, line in lines:
        if line is None:
            if reader is None:
                raise ValidationError({"body": "The CSV header line is longer than 64 KiB."})
            report.reject(number, LINE_TOO_LONG)
            continue
        if not line or line.isspace():
            continue
        if reader is None:
            try:
                reader = CsvLineReader(line)
            except ValueError as exc:
                raise ValidationError({"body": f"CSV header: {exc}"}) from None
            continue
        try:
            obj = reader.mapping(line)
        except CsvLineRefused as refused:
            report.reject(number, refused.errors)
            continue
        row = parser.from_mapping(obj)
        if type(row) is tuple:
            yield row
        else:
            report.reject(number, row)
