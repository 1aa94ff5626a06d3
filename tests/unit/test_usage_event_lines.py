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
