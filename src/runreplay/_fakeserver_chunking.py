"""How the fake server cuts SSE frames into HTTP chunks: per event, mid-line, inside UTF-8, or by size."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from runreplay.errors import ConfigurationError

__all__ = ["Chunker", "chunker"]

Chunker = Callable[[list[bytes]], list[bytes]]


def _utf8_safe(data: bytes, position: int) -> int:
    """`position` moved forward past UTF-8 continuation bytes, so a cut there splits no character."""
    while position < len(data) and data[position] & 0xC0 == 0x80:
        position += 1
    return position


def _cut(data: bytes, points: list[int]) -> list[bytes]:
    """`data` cut at the given offsets (out-of-range and repeated offsets ignored)."""
    edges = [0, *sorted({p for p in points if 0 < p < len(data)}), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


def _split_lines(frames: list[bytes]) -> list[bytes]:
    """Each event cut inside its `event:` line, inside `data:`, mid-payload and before the blank line."""
    chunks: list[bytes] = []
    for frame in frames:
        data_line = frame.find(b"\n") + 1
        payload = data_line + len(b"data: ")
        middle = _utf8_safe(frame, payload + (len(frame) - 2 - payload) // 2)
        chunks += _cut(frame, [3, data_line + 3, middle, len(frame) - 1])
    return chunks


def _split_utf8(frames: list[bytes]) -> list[bytes]:
    """Each event cut after the first byte of every multi-byte UTF-8 character it holds."""
    chunks: list[bytes] = []
    for frame in frames:
        chunks += _cut(frame, [i + 1 for i, byte in enumerate(frame) if byte >= 0xC0])
    return chunks


def _fixed(size: int) -> Chunker:
    """A chunker that cuts the whole body into `size`-byte pieces, ignoring event boundaries."""

    def chunk(frames: list[bytes]) -> list[bytes]:
        body = b"".join(frames)
        return [body[i : i + size] for i in range(0, len(body), size)]

    return chunk


def chunker(spec: str) -> Chunker:
    """The chunker for a `chunking=` spec; raises ConfigurationError for an unknown one."""
    named: dict[str, Chunker] = {
        "event": list,
        "split_lines": _split_lines,
        "split_utf8": _split_utf8,
        "whole": lambda frames: [b"".join(frames)] if frames else [],
    }
    if spec in named:
        return named[spec]
    match = re.fullmatch(r"bytes:([1-9][0-9]*)", spec)
    if match:
        return _fixed(int(match.group(1)))
    raise ConfigurationError(
        f"unknown chunking {spec!r}: expected 'event', 'split_lines', 'split_utf8', 'whole' or 'bytes:N' "
        "with N >= 1 (for example 'bytes:7')"
    )
