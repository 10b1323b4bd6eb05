"""A derived index of a large cassette, cached beside it, so that opening it skips the YAML parse.

Parsing YAML is most of a load: 50,000 interactions take seconds with LibYAML. After a cassette over
`MIN_BYTES` was parsed, `write` stores ``.NAME.yaml.index`` next to it: everything but the response
bodies as one `marshal` blob (request, status line, headers, timing, chunk layout, and the request
keys for the default `match_on`), then the response bodies back to back. `read` checks that the
cache belongs to the file as it is now (same size and modification time, or else the same SHA-256),
then maps the file into memory: a response body is copied out of the map only when it is first
played, so opening costs the index, not the bodies.

The YAML file stays the source of truth: the cache is derived, rebuilt whenever it does not match,
written atomically (a torn cache fails its own checks and is ignored), and never committed (see the
project's .gitignore). Anything unexpected in a cache makes `read` return None, never an error.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import marshal
import mmap
import os
import secrets
from collections.abc import Hashable
from pathlib import Path
from typing import Any

from runreplay.cassette.model import Cassette, Interaction, RecordedRequest, RecordedResponse, StreamError

__all__ = ["MIN_BYTES", "cache_path", "read", "write"]

MIN_BYTES = 4 * 1024 * 1024
"""Cassettes smaller than this load fast enough from YAML; they get no cache file."""

_MAGIC = b"runreplay-index 1\n"
_LENGTH = 12  # digits of the index blob's length, after the magic line


def cache_path(path: Path) -> Path:
    """Where the index cache of cassette `path` lives (hidden, beside it)."""
    return path.with_name(f".{path.name}.index")


def _digest(path: str) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            hasher.update(block)
    return hasher.hexdigest()


def write(path: str, data: bytes, stat: os.stat_result, cassette: Cassette, keys: list[Hashable]) -> None:
    """Store the index of `cassette` (just parsed from `data`, the file's bytes) beside `path`.

    Best effort: a folder that cannot be written, or metadata that `marshal` cannot hold, leaves
    no cache and raises nothing.
    """
    headers: dict[tuple[tuple[str, str], ...], int] = {}

    def header_id(pairs: list[tuple[str, str]]) -> int:
        return headers.setdefault(tuple(pairs), len(headers))

    items = []
    bodies = []
    offset = 0
    for interaction in cassette.interactions:
        request, response = interaction.request, interaction.response
        body = response.body
        error = response.error
        sizes, offsets = response.layout()
        items.append(
            (
                interaction.recorded_at,
                request.method,
                request.url,
                header_id(request.headers),
                request.body,
                response.status,
                response.reason,
                response.http_version,
                header_id(response.headers),
                response.headers_ms,
                response.complete,
                None if error is None else (error.type, error.message, error.after_chunk),
                offset,
                len(body),
                sizes,
                offsets,
            )
        )
        bodies.append(body)
        offset += len(body)
    index = {
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "sha256": hashlib.sha256(data).hexdigest(),
        "meta": cassette.meta,
        "headers": list(headers),
        "items": items,
        "keys": keys,
    }
    try:
        blob = marshal.dumps(index)
    except ValueError:  # metadata marshal cannot hold (e.g. a date): no cache
        return
    target = cache_path(Path(path))
    temporary = target.with_name(f"{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        with open(temporary, "wb") as file:
            file.write(_MAGIC + str(len(blob)).zfill(_LENGTH).encode("ascii"))
            file.write(blob)
            for body in bodies:
                file.write(body)
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _slicer(view: mmap.mmap, start: int, end: int) -> Any:
    def read() -> bytes:
        return view[start:end]

    return read


def read(path: str, stat: os.stat_result) -> tuple[Cassette, list[Hashable]] | None:
    """The cassette from the cache beside `path` and its default request keys, or None if none fits."""
    target = cache_path(Path(path))
    try:
        with open(target, "rb") as file:
            head = file.read(len(_MAGIC) + _LENGTH)
            if head[: len(_MAGIC)] != _MAGIC or not head[len(_MAGIC) :].isdigit():
                return None
            length = int(head[len(_MAGIC) :])
            blob = file.read(length)
            view = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    gc_was_enabled = gc.isenabled()
    gc.disable()  # many objects, no cycles: a collection pass would double the time
    try:
        return _build(path, stat, blob, view, length)
    finally:
        if gc_was_enabled:
            gc.enable()


def _build(
    path: str, stat: os.stat_result, blob: bytes, view: mmap.mmap, length: int
) -> tuple[Cassette, list[Hashable]] | None:
    """The cassette and keys of a cache read by `read` (None when it does not belong to the file)."""
    try:
        index = marshal.loads(blob)
        if not (index["size"] == stat.st_size and index["mtime_ns"] == stat.st_mtime_ns) and index[
            "sha256"
        ] != _digest(path):
            return None
        start = len(_MAGIC) + _LENGTH + length
        if view.size() != start + sum(item[13] for item in index["items"]):
            return None
        headers = [list(pairs) for pairs in index["headers"]]
        interactions = []
        for item in index["items"]:
            (recorded_at, method, url, request_headers, request_body, status, reason, version) = item[:8]
            (response_headers, headers_ms, complete, error, offset, size, sizes, offsets) = item[8:]
            response = RecordedResponse.from_layout(
                status,
                reason,
                version,
                headers[response_headers],
                _slicer(view, start + offset, start + offset + size),
                (sizes, offsets),
                headers_ms=headers_ms,
                complete=complete,
                error=None if error is None else StreamError(*error),
            )
            request = RecordedRequest(method, url, headers[request_headers], request_body)
            interactions.append(Interaction(request, response, recorded_at))
        keys: list[Hashable] = index["keys"]
        if len(keys) != len(interactions):
            return None
    except (KeyError, TypeError, ValueError, IndexError, EOFError, OSError):
        return None
    return Cassette(interactions, index["meta"]), keys
