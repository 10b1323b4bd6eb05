"""Captures one live response while the client reads it: chunks with their arrival times, and how it ended.

Client adapters feed it every chunk they pass on to the caller (so the caller still sees the stream
live), then call `finish()` once: at the end of the body, when the client closes early, or with the
error that broke the connection. Compressed bodies are stored decoded, so cassettes stay readable.
"""

from __future__ import annotations

import re
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol

from runreplay.cassette.model import Chunk, Interaction, RecordedRequest, RecordedResponse, StreamError
from runreplay.recording._replay import cap_message

__all__ = ["StreamRecorder", "qualified_name"]

_DROPPED_WHEN_DECODED = ("content-encoding", "content-length")
_DONE_TAIL = re.compile(rb"data: ?\[DONE\][ \t]*(\r\n|\r|\n)(\r\n|\r|\n)\Z")


class _Decompressor(Protocol):
    """The part of zlib's decompressobj (and brotli's) that the recorder uses."""

    def decompress(self, data: bytes, /) -> bytes: ...


def qualified_name(exc: BaseException) -> str:
    """`package.Class` for an exception, using the shortest public module path that exposes the class."""
    cls = type(exc)
    module = cls.__module__
    parts = module.split(".")
    for end in range(1, len(parts) + 1):
        candidate = ".".join(parts[:end])
        mod = sys.modules.get(candidate)
        if mod is not None and getattr(mod, cls.__qualname__, None) is cls:
            return f"{candidate}.{cls.__qualname__}"
    return f"{module}.{cls.__qualname__}"


def _decompressor(encoding: str) -> _Decompressor | None:
    """A streaming decoder for a content-encoding, or None when it is unknown (the body is kept encoded)."""
    if encoding == "gzip":
        return zlib.decompressobj(zlib.MAX_WBITS | 16)
    if encoding == "deflate":
        return zlib.decompressobj()
    if encoding == "br":
        try:
            import brotli  # type: ignore[import-not-found]
        except ImportError:
            return None
        return brotli.Decompressor()  # type: ignore[no-any-return]
    return None


class StreamRecorder:
    """Accumulates one response's chunks and hands the finished interaction to `on_finish` exactly once."""

    def __init__(
        self,
        request: RecordedRequest,
        *,
        started: float,
        status: int,
        reason: str,
        http_version: str,
        headers: list[tuple[str, str]],
        decode_compressed: bool,
        already_decoded: bool,
        on_finish: Callable[[Interaction], None],
    ) -> None:
        self._request = request
        self._started = started
        self._on_finish = on_finish
        self._chunks: list[Chunk] = []
        self._error: StreamError | None = None
        self._finished = False
        self._headers_ms = round((time.perf_counter() - started) * 1000.0, 3)
        self._status = status
        self._reason = reason
        self._http_version = http_version
        encoding = ""
        for name, value in headers:
            if name.lower() == "content-encoding":
                encoding = value.strip().lower()
        self._decoder: _Decompressor | None = None
        if encoding and encoding != "identity" and (already_decoded or decode_compressed):
            self._decoder = None if already_decoded else _decompressor(encoding)
            if already_decoded or self._decoder is not None:
                headers = [(n, v) for n, v in headers if n.lower() not in _DROPPED_WHEN_DECODED]
        self._headers = headers

    @property
    def finished(self) -> bool:
        """Whether `finish()` has run."""
        return self._finished

    def chunk(self, data: bytes) -> None:
        """Note one chunk the client received, timed now."""
        if self._finished:
            return
        offset = round((time.perf_counter() - self._started) * 1000.0, 3)
        if self._decoder is not None:
            data = self._decoder.decompress(data)
        if data:
            self._chunks.append(Chunk(data=data, offset_ms=offset))

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Around reading the live body: an error there breaks the recording too; the end completes it."""
        try:
            yield
        except Exception as exc:
            self.fail(exc)
            raise
        self.finish(complete=True)

    def tee(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """Pass the live body's chunks on as they come, noting each one (see `reading`)."""
        with self.reading():
            for chunk in chunks:
                self.chunk(chunk)
                yield chunk

    def fail(self, exc: BaseException) -> None:
        """Note the error that broke the body and finish it cut; replay raises it after the same chunk."""
        if not self._finished and self._error is None:
            self._error = StreamError(
                type=qualified_name(exc), message=cap_message(str(exc)), after_chunk=len(self._chunks)
            )
        self.finish(complete=False)

    def _ends_with_done(self) -> bool:
        """Whether an event stream's last complete event is `data: [DONE]` (nothing meaningful follows)."""
        content_types = [v.lower() for n, v in self._headers if n.lower() == "content-type"]
        if not any("text/event-stream" in value for value in content_types):
            return False
        tail = b"".join(chunk.data for chunk in self._chunks[-3:])[-64:]
        return _DONE_TAIL.search(tail) is not None

    def finish(self, *, complete: bool) -> None:
        """Build the interaction and pass it on; later calls do nothing.

        A client that closes an event stream right after `data: [DONE]` (the openai SDK always does,
        before the server's final empty chunk arrives) has read all of it: that counts as complete.
        """
        if self._finished:
            return
        self._finished = True
        if not complete and self._error is None and self._ends_with_done():
            complete = True
        if self._decoder is not None and hasattr(self._decoder, "flush"):
            tail: bytes = self._decoder.flush()
            if tail:
                offset = self._chunks[-1].offset_ms if self._chunks else self._headers_ms
                self._chunks.append(Chunk(data=tail, offset_ms=offset))
        response = RecordedResponse(
            status=self._status,
            reason=self._reason,
            http_version=self._http_version,
            headers=self._headers,
            chunks=self._chunks,
            headers_ms=self._headers_ms,
            complete=complete and self._error is None,
            error=self._error,
        )
        self._on_finish(Interaction(request=self._request, response=response))
