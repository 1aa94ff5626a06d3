"""Reading a body of usage events line by line, without ever holding it whole.

Bodies may be hundreds of megabytes, so they are read in fixed-size chunks and
cut into lines here; memory stays at one chunk plus one line whatever the size.
"""

from collections.abc import Callable, Iterator

# 1 MiB reads: large enough that the per-read cost vanishes, small enough to stay flat in memory.
CHUNK_BYTES = 1 << 20
# One event is a few hundred bytes; a longer line is rejected rather than buffered.
MAX_LINE_BYTES = 64 * 1024


class BodyTooLarge(Exception):
    """The body grew past the configured limit while being read (answered 413)."""


def iter_lines(
    read: Callable[[int], bytes], *, limit: int | None = None, max_line: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, bytes | None]]:
    """Yield ``(line_number, line)`` for each line of the stream, numbered from 1.

    ``line`` is None for a line longer than ``max_line`` (its bytes are dropped
    as they arrive). Raises BodyTooLarge as soon as more than ``limit`` bytes were read.
    """
    number = 0
    total = 0
    tail = b""
    overlong = False
    while True:
        chunk = read(CHUNK_BYTES)
        if not chunk:
            break
        total += len(chunk)
        if limit is not None and total > limit:
            raise BodyTooLarge(total)
        pieces = chunk.split(b"\n")
        last = pieces.pop()
        for piece in pieces:
            number += 1
            if overlong:
                overlong = False
                yield number, None
                continue
            if tail:
                piece, tail = tail + piece, b""
            yield number, (None if len(piece) > max_line else piece)
        if overlong:
            continue
        tail = tail + last if tail else last
        if len(tail) > max_line:
            tail, overlong = b"", True
    if overlong:
        yield number + 1, None
    elif tail:
        yield number + 1, tail
