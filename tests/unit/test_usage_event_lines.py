import io

import pytest

from contracts.services.usage_event_input import BodyTooLarge, iter_lines


def lines(data: bytes, chunk: int, monkeypatch, **kw):
    monkeypatch.setattr("contracts.services.usage_event_input.CHUNK_BYTES", chunk)
    return list(iter_lines(io.BytesIO(data).read, **kw))


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 1 << 20])
def test_lines_are_numbered_whatever_the_chunk_size(monkeypatch, chunk):
    data = b'{"a":1}\n\n{"b":2}\r\n{"c":3}'

    assert lines(data, chunk, monkeypatch) == [(1, b'{"a":1}'), (2, b""), (3, b'{"b":2}\r'), (4, b'{"c":3}')]


@pytest.mark.parametrize("chunk", [1, 4, 7, 1 << 20])
def test_an_overlong_line_is_dropped_as_it_arrives_and_reported_alone(monkeypatch, chunk):
    data = b"ok\n" + b"x" * 50 + b"\nfine\n" + b"y" * 50

    assert lines(data, chunk, monkeypatch, max_line=10) == [(1, b"ok"), (2, None), (3, b"fine"), (4, None)]


def test_reading_past_the_limit_stops_the_body(monkeypatch):
    with pytest.raises(BodyTooLarge):
        lines(b"0123456789\n" * 10, 16, monkeypatch, limit=50)
    assert len(lines(b"0123456789\n" * 10, 16, monkeypatch, limit=110)) == 10


# -- the NDJSON hot loop decides every line as the one-line parser does -----------------

GOOD = (
    '{"source":"gw","event_id":"e-1","occurred_at":"2026-03-05T10:15:00+08:00","agreement":"AGR-1",'
    '"dataset":"POP","action":"read","purpose":"ImprovePublicServices"'
)
TRICKY_LINES = [
    GOOD + "}",
    GOOD + ',"record_count":7}',
    GOOD + ',"record_count":0,"recipient":null}',
    GOOD + ',"recipient":"ORG-CODE"}',  # a recipient: the full checks
    GOOD + ',"record_count":9223372036854775807}',
    GOOD + ',"record_count":9223372036854775808}',
    GOOD + ',"record_count":-1}',
    GOOD + ',"record_count":true}',
    GOOD + ',"record_count":2.0}',
    GOOD + ',"extra":1}',
    GOOD.replace('"AGR-1"', "7") + "}",
    GOOD.replace('"AGR-1"', "7.0") + "}",
    GOOD.replace('"AGR-1"', "true") + "}",
    GOOD.replace('"AGR-1"', '"AGR-2"') + "}",
    GOOD.replace('"POP"', '["POP"]') + "}",
    GOOD.replace('"read"', '["read"]') + "}",
    GOOD.replace('"ImprovePublicServices"', '{"a": 1}') + "}",
    GOOD.replace('"gw"', '"g\\u0000w"') + "}",
    GOOD.replace('"gw"', '""') + "}",
    GOOD.replace('"gw"', '"g\\ud800"') + "}",
    GOOD.replace('"e-1"', '"e\\udfff"') + "}",
    GOOD.replace('"gw"', '"网关"') + "}",
    GOOD.replace('"gw"', '"' + "s" * 65 + '"') + "}",
    GOOD.replace('"e-1"', "12") + "}",
    GOOD.replace("+08:00", "") + "}",  # naive: the project's time zone
    GOOD.replace("2026-03-05T10:15:00+08:00", "1899-12-31T23:59:59+00:00") + "}",
    GOOD.replace("2026-03-05T10:15:00+08:00", "2999-01-01T00:00:00+00:00") + "}",
    GOOD.replace("2026-03-05T10:15:00+08:00", "yesterday") + "}",
    GOOD.replace('"2026-03-05T10:15:00+08:00"', "20260305") + "}",
    '  ' + GOOD + "}\r",
    GOOD + "} x",
    GOOD,
    "[1, 2]",
    '"text"',
    "[" * 100_000,
    "\ufeff" + GOOD + "}",
]


@pytest.mark.parametrize("text", TRICKY_LINES)
def test_the_hot_loop_decides_each_line_as_the_line_parser(text):
    from contracts.services.usage_event_rows import EventRowParser

    parser = EventRowParser(
        agreements={"AGR-1": 1, 7: 1}, datasets={"POP": 3}, organizations={"ORG-CODE": 5},
    )  # fmt: skip
    line = text.encode()
    rejected = []

    rows = list(parser.rows_from_ndjson([(1, line)], lambda number, errors: rejected.append(errors)))

    expected = parser.from_json_line(line)
    if type(expected) is tuple:
        assert (rows, rejected) == ([expected], [])
    else:
        assert (rows, rejected) == ([], [expected])


def test_the_hot_loop_skips_blank_lines_and_reports_long_ones_by_number():
    from contracts.services.usage_event_rows import LINE_TOO_LONG, EventRowParser

    parser = EventRowParser(agreements={}, datasets={}, organizations={})
    rejected = []

    rows = list(parser.rows_from_ndjson([(1, b""), (2, b"  \r"), (3, None), (4, b"{}")], lambda *r: rejected.append(r)))

    assert rows == []
    assert [number for number, _ in rejected] == [3, 4]
    assert rejected[0][1] == LINE_TOO_LONG
