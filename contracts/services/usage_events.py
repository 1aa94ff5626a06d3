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

from contracts.selectors.usage import agreement_keys_for_usage, dataset_keys, organization_keys
from contracts.services.usage_event_input import iter_lines
from contracts.services.usage_event_rows import LINE_TOO_LONG, CsvLineReader, EventRowParser
from contracts.services.usage_event_writers import event_writer
from partnerships.actors import Actor
from partnerships.audit import audit_record
from partnerships.codes import Role

NDJSON = "ndjson"
CSV = "csv"
# The answer lists this many refused lines in detail; ``rejected_count`` has them all.
# A bound, so that a body of a million bad lines cannot make a million-entry answer.
MAX_REPORTED_REJECTIONS = 1000
NOT_CSV_ROW = {"non_field_errors": ["Not a UTF-8 CSV line with one value per column of the header."]}


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
    report = IngestReport()
    lines = iter_lines(read, limit=max_bytes)
    with transaction.atomic():
        with event_writer() as writer:
            rows = (_ndjson_rows if body_format == NDJSON else _csv_rows)(lines, parser, report)
            staged = writer.write_rows(rows)
            inserted = writer.finish()
        report.accepted = inserted
        report.duplicates = staged - inserted
        if staged or report.rejected_count:
            # One entry per body, not per event: the events themselves are the record of use.
            partner_orgs = actor.org_ids(Role.PARTNER)
            audit_record(
                actor=actor,
                action="usage_events.ingest",
                object_type="usage_events",
                after={"format": body_format, "staged": staged, **report.as_dict(), "rejected": report.rejected[:10]},
                organization=next(iter(partner_orgs)) if len(partner_orgs) == 1 else None,
            )
    return report


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
        obj = reader.mapping(line)
        if obj is None:
            report.reject(number, NOT_CSV_ROW)
            continue
        row = parser.from_mapping(obj)
        if type(row) is tuple:
            yield row
        else:
            report.reject(number, row)
