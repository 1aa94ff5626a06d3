"""Turning one line of a usage-event body into a row ready for COPY, or into field errors.

This runs once per event, up to millions of times per request, so it checks
against in-memory maps built once per request (the caller's agreements, the
dataset catalogue) and does nothing else: no query, no model instance.
"""

import csv
import datetime
import json
from collections.abc import Iterable, Iterator

from django.utils import timezone

from contracts.codes import Action, Purpose

# Column order of a staged row (see usage_event_writers).
ROW_COLUMNS = (
    "source",
    "event_id",
    "occurred_at",
    "agreement_id",
    "dataset_id",
    "action",
    "purpose",
    "record_count",
    "recipient_id",
)
# Their PostgreSQL types, which binary COPY must be told (see usage_event_writers).
ROW_TYPES = ("varchar", "varchar", "timestamptz", "int8", "int8", "varchar", "varchar", "int8", "int8")
FIELDS = ("source", "event_id", "occurred_at", "agreement", "dataset", "action", "purpose", "record_count", "recipient")
REQUIRED = frozenset(FIELDS) - {"record_count", "recipient"}
KNOWN = frozenset(FIELDS)

ACTIONS = frozenset(Action.values)
PURPOSES = frozenset(Purpose.values)
MAX_BIGINT = 2**63 - 1
EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=datetime.timezone.utc)
_ABSENT = object()
LINE_TOO_LONG = {"non_field_errors": ["The line is longer than 64 KiB."]}
# Clocks of gateways drift; an event stamped more than a day ahead is a wrong stamp, not a use.
FUTURE_SLACK = datetime.timedelta(days=1)


def _storable(text: str) -> bool:
    """Whether the database can hold the text: JSON may escape half a surrogate pair, UTF-8 cannot."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


class EventRowParser:
    """Validates events against one caller's agreements.

    ``agreements`` maps id and reference to the ids the caller may send evidence
    for; ``datasets`` maps id and code, ``organizations`` id and credit code, to ids.
    """

    def __init__(self, *, agreements: dict, datasets: dict, organizations: dict, now: datetime.datetime | None = None):
        self.agreements = agreements
        self.datasets = datasets
        self.organizations = organizations
        self.latest = (now or timezone.now()) + FUTURE_SLACK
        self.default_tz = timezone.get_default_timezone()

    # -- one event ---------------------------------------------------------

    def from_mapping(self, obj) -> tuple | dict:
        """A row tuple, or ``{field: [message]}`` when the event is refused.

        The fast path takes a well-formed event in a few attribute-free checks;
        anything it does not like goes to ``_checked``, which names every problem.
        """
        if type(obj) is not dict:
            return self._checked(obj)
        try:
            source = obj["source"]
            event_id = obj["event_id"]
            agreement = obj["agreement"]
            dataset = obj["dataset"]
            action = obj["action"]
            purpose = obj["purpose"]
            occurred_at = obj["occurred_at"]
            record_count = obj.get("record_count", _ABSENT)
            recipient = obj.get("recipient", _ABSENT)
            # Seven required fields plus the optional ones present: any other key is unknown.
            if len(obj) != 7 + (record_count is not _ABSENT) + (recipient is not _ABSENT):
                return self._checked(obj)
            if record_count is _ABSENT:
                record_count = 1
            if (
                type(source) is str and 0 < len(source) <= 64 and "\x00" not in source
                and (source.isascii() or _storable(source))  # isascii is a flag: no scan
                and type(event_id) is str and 0 < len(event_id) <= 128 and "\x00" not in event_id
                and (event_id.isascii() or _storable(event_id))
                and (type(agreement) is str or type(agreement) is int)
                and (type(dataset) is str or type(dataset) is int)
                and action in ACTIONS and purpose in PURPOSES
                and type(record_count) is int and 0 <= record_count <= MAX_BIGINT
                and (recipient is _ABSENT or recipient is None)
                and type(occurred_at) is str
            ):  # fmt: skip
                agreement_id = self.agreements.get(agreement)
                dataset_id = self.datasets.get(dataset)
                instant = self._instant(occurred_at)
                if agreement_id is not None and dataset_id is not None and type(instant) is not str:
                    return (source, event_id, instant, agreement_id, dataset_id, action, purpose, record_count, None)
        except (KeyError, TypeError):  # a missing field, or an unhashable value in a set look-up
            pass
        return self._checked(obj)

    def _checked(self, obj) -> tuple | dict:
        """Every check, one by one, collecting a message per field."""
        if type(obj) is not dict:
            return {"non_field_errors": ["Each line must be a JSON object."]}
        if not obj.keys() <= KNOWN:
            return {name: ["Unknown field."] for name in sorted(obj.keys() - KNOWN)}
        errors = None
        get = obj.get

        source = get("source")
        if type(source) is not str or not 0 < len(source) <= 64 or "\x00" in source or not _storable(source):
            errors = {"source": ["Give the source system (1 to 64 characters)."]}

        event_id = get("event_id")
        if type(event_id) is int and not isinstance(event_id, bool) and 0 <= event_id <= MAX_BIGINT:
            event_id = str(event_id)
        if type(event_id) is not str or not 0 < len(event_id) <= 128 or "\x00" in event_id or not _storable(event_id):
            errors = errors or {}
            errors["event_id"] = ["Give the event id (1 to 128 characters)."]

        occurred_at = self._instant(get("occurred_at"))
        if type(occurred_at) is str:
            errors = errors or {}
            errors["occurred_at"] = [occurred_at]

        agreement = get("agreement")
        agreement_id = self.agreements.get(agreement) if type(agreement) in (int, str) else None
        if agreement_id is None:
            errors = errors or {}
            errors["agreement"] = ["No agreement of yours with this id or reference." if agreement is not None
                                   else "This field is required."]

        dataset = get("dataset")
        dataset_id = self.datasets.get(dataset) if type(dataset) in (int, str) else None
        if dataset_id is None:
            errors = errors or {}
            errors["dataset"] = ["Unknown dataset id or code." if dataset is not None else "This field is required."]

        action = get("action")
        if type(action) is not str or action not in ACTIONS:  # a list or an object is unhashable
            errors = errors or {}
            errors["action"] = ["Unknown ODRL action." if action is not None else "This field is required."]

        purpose = get("purpose")
        if type(purpose) is not str or purpose not in PURPOSES:
            errors = errors or {}
            errors["purpose"] = ["Unknown purpose." if purpose is not None else "This field is required."]

        record_count = get("record_count", 1)
        if type(record_count) is not int or not 0 <= record_count <= MAX_BIGINT:
            errors = errors or {}
            errors["record_count"] = ["Give a whole number from 0 to 9223372036854775807."]

        recipient = get("recipient")
        recipient_id = None
        if recipient is not None and recipient != "":
            recipient_id = self.organizations.get(recipient) if type(recipient) in (int, str) else None
            if recipient_id is None:
                errors = errors or {}
                errors["recipient"] = ["Unknown organization id or credit code."]

        if errors:
            return errors
        return (source, event_id, occurred_at, agreement_id, dataset_id, action, purpose, record_count, recipient_id)

    def _instant(self, value) -> datetime.datetime | str:
        """The parsed instant, or an error message (a str)."""
        if type(value) is not str:
            return "Give an ISO 8601 date and time." if value is not None else "This field is required."
        try:
            instant = datetime.datetime.fromisoformat(value)
        except ValueError:
            return "Give an ISO 8601 date and time."
        if instant.tzinfo is None:
            # Naive stamps are read in the project's time zone, as Django reads them.
            instant = instant.replace(tzinfo=self.default_tz)
        if instant < EARLIEST:
            return "Events before 1900 are not accepted."
        if instant > self.latest:
            return "The event is stamped in the future."
        return instant

    # -- one line ----------------------------------------------------------

    def from_json_line(self, line: bytes) -> tuple | dict:
        try:
            # Decoding first is quicker than json.loads(bytes), which sniffs the encoding.
            obj = json.loads(line.decode())
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return {"non_field_errors": ["Not a JSON object on one line (or not UTF-8)."]}
        return self.from_mapping(obj)

    # -- a body ------------------------------------------------------------

    def rows_from_ndjson(self, lines: Iterable[tuple[int, bytes | None]], reject) -> Iterator[tuple]:
        """The row of each valid line of ``(number, line)`` pairs, as ``iter_lines`` gives them.

        Blank lines are skipped; any other line is handed to ``reject(number, errors)``.
        This is the hot loop of an ingest, so the fast path of ``from_json_line``,
        ``from_mapping`` and ``_instant`` is written out here in one frame, with what
        it needs in local variables (a call or an attribute look-up per event is a
        measurable share of the load). A line it does not take goes through
        ``from_json_line``, which decides as for any other line and says why.
        """
        loads = json.loads
        agreements = self.agreements.get
        datasets = self.datasets.get
        fromisoformat = datetime.datetime.fromisoformat
        default_tz = self.default_tz
        earliest = EARLIEST
        latest = self.latest
        actions = ACTIONS
        purposes = PURPOSES
        absent = _ABSENT
        from_json_line = self.from_json_line
        for number, line in lines:
            if line is None:
                reject(number, LINE_TOO_LONG)
                continue
            try:
                obj = loads(line.decode())
                if type(obj) is dict:
                    source = obj["source"]
                    event_id = obj["event_id"]
                    agreement = obj["agreement"]
                    dataset = obj["dataset"]
                    action = obj["action"]
                    purpose = obj["purpose"]
                    occurred_at = obj["occurred_at"]
                    record_count = obj.get("record_count", absent)
                    recipient = obj.get("recipient", absent)
                    # Seven required fields plus the optional ones present: any other key is unknown.
                    fields = 7 + (record_count is not absent) + (recipient is not absent)
                    if record_count is absent:
                        record_count = 1
                    if (
                        len(obj) == fields
                        and type(source) is str and 0 < len(source) <= 64 and "\x00" not in source
                        and (source.isascii() or _storable(source))  # isascii is a flag: no scan
                        and type(event_id) is str and 0 < len(event_id) <= 128 and "\x00" not in event_id
                        and (event_id.isascii() or _storable(event_id))
                        and (type(agreement) is str or type(agreement) is int)
                        and (type(dataset) is str or type(dataset) is int)
                        and action in actions and purpose in purposes
                        and type(record_count) is int and 0 <= record_count <= MAX_BIGINT
                        and (recipient is absent or recipient is None)
                        and type(occurred_at) is str
                    ):  # fmt: skip
                        agreement_id = agreements(agreement)
                        dataset_id = datasets(dataset)
                        instant = fromisoformat(occurred_at)
                        if instant.tzinfo is None:
                            instant = instant.replace(tzinfo=default_tz)
                        if agreement_id is not None and dataset_id is not None and earliest <= instant <= latest:
                            yield (source, event_id, instant, agreement_id, dataset_id, action, purpose, record_count,
                                   None)  # fmt: skip
                            continue
            except (ValueError, RecursionError, KeyError, TypeError):
                pass  # decided below, with the reason
            if not line or line.isspace():
                continue
            row = from_json_line(line)
            if type(row) is tuple:
                yield row
            else:
                reject(number, row)


NOT_CSV_ROW = {"non_field_errors": ["Not a UTF-8 CSV line with one value per column of the header."]}
# csv reads a CR outside quotes as the end of a record, so it cannot sit inside a line cut at LF.
BARE_CR = {
    "non_field_errors": ["A carriage return (CR) inside a value: quote the value, and end lines with LF or CRLF."]
}


class CsvLineRefused(ValueError):
    """A line that is not one CSV record; ``errors`` says why, as a refused event's errors do."""

    def __init__(self, errors: dict):
        super().__init__(errors["non_field_errors"][0])
        self.errors = errors


class CsvLineReader:
    """Cuts CSV lines into mappings shaped like the JSON events, given the header line."""

    def __init__(self, header: bytes):
        try:
            names = self._cells(header)
        except CsvLineRefused as refused:
            if refused.errors is BARE_CR:  # a whole file from a tool that ends lines with CR alone
                raise ValueError("lines end with a bare carriage return (CR); end them with LF or CRLF") from None
            raise ValueError("The header line is not UTF-8 CSV.") from None
        names = [name.strip() for name in names]
        unknown = sorted(set(names) - KNOWN)
        missing = sorted(REQUIRED - set(names))
        duplicated = sorted({name for name in names if names.count(name) > 1})
        problems = []
        if unknown:
            problems.append("unknown columns: " + ", ".join(unknown))
        if missing:
            problems.append("missing columns: " + ", ".join(missing))
        if duplicated:
            problems.append("repeated columns: " + ", ".join(duplicated))
        if problems:
            raise ValueError("; ".join(problems))
        self.names = names

    @staticmethod
    def _cells(line: bytes) -> list[str]:
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            raise CsvLineRefused(NOT_CSV_ROW) from None
        if "\x00" in text:
            raise CsvLineRefused(NOT_CSV_ROW)
        text = text.rstrip("\r")
        try:
            return next(csv.reader([text]), [])
        except csv.Error:
            # Lines are at most 64 KiB, under csv's field limit: what is left is a CR outside quotes.
            raise CsvLineRefused(BARE_CR if "\r" in text else NOT_CSV_ROW) from None

    def mapping(self, line: bytes) -> dict:
        """The event as a mapping; raises CsvLineRefused for a line that is not UTF-8 CSV
        with one cell per column."""
        cells = self._cells(line)
        if len(cells) != len(self.names):
            raise CsvLineRefused(NOT_CSV_ROW)
        obj = {name: cell for name, cell in zip(self.names, cells) if cell != ""}
        # CSV has only text; ids and codes resolve from text alike, counts need a number.
        count = obj.get("record_count")
        if count is not None and count.isascii() and count.isdigit() and len(count) < 20:
            obj["record_count"] = int(count)
        return obj
