"""The in-memory cassette: plain dataclasses shared by the recorder, the replayer and the file format.

Everything here is already redacted: secrets are removed before an interaction is built. Bodies are
raw bytes; the response body is the list of chunks exactly as the client received them (after
content decoding), each with the time it arrived, so that replay can rebuild every byte, every
chunk boundary and the timing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FORMAT_VERSION",
    "Cassette",
    "Chunk",
    "Interaction",
    "RecordedRequest",
    "RecordedResponse",
    "StreamError",
]

FORMAT_VERSION = 1
"""Version of the file format written by `runreplay.cassette.save`; bumped on any incompatible change."""


def _first_header(headers: list[tuple[str, str]], name: str) -> str | None:
    """The first value of header `name` in `headers` (case-insensitive), or None."""
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), None)


@dataclass(slots=True)
class Chunk:
    """One piece of a response body as the client received it, `offset_ms` after the request was sent."""

    data: bytes
    offset_ms: float


@dataclass(slots=True)
class RecordedRequest:
    """The request as sent, after redaction. Header names keep their case and order."""

    method: str
    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        return _first_header(self.headers, name)


@dataclass(slots=True)
class StreamError:
    """A transport error raised while the body was read, to be raised again at the same place.

    `type` is the exception's qualified class name (e.g. `httpx2.RemoteProtocolError`), and
    `after_chunk` is how many chunks the client had received when it was raised.
    """

    type: str
    message: str
    after_chunk: int


class RecordedResponse:
    """The response as received: status line, headers, body chunks with timing, and how it ended.

    `complete` is False when the client closed the stream before its end (a partial recording);
    `error` is set when the connection failed mid-body.

    A loaded response keeps its body whole and splits it into `chunks` only when they are first
    read (`from_layout`): a 100,000-event stream costs no 100,000 slices until it is played, and a
    body may even be read from disk only then (a callable `body`). Equality, `repr` and the
    constructor are those of the dataclass it used to be.
    """

    __slots__ = (
        "_body",
        "_chunks",
        "_layout",
        "complete",
        "error",
        "headers",
        "headers_ms",
        "http_version",
        "reason",
        "status",
    )

    def __init__(
        self,
        status: int,
        reason: str = "",
        http_version: str = "HTTP/1.1",
        headers: list[tuple[str, str]] | None = None,
        chunks: list[Chunk] | None = None,
        headers_ms: float = 0.0,
        complete: bool = True,
        error: StreamError | None = None,
    ) -> None:
        self.status = status
        self.reason = reason
        self.http_version = http_version
        self.headers: list[tuple[str, str]] = headers if headers is not None else []
        self._chunks: list[Chunk] | None = chunks if chunks is not None else []
        self._body: bytes | Callable[[], bytes] | None = None
        self._layout: tuple[list[int], list[float]] | None = None
        self.headers_ms = headers_ms
        self.complete = complete
        self.error = error

    @classmethod
    def from_layout(
        cls,
        status: int,
        reason: str,
        http_version: str,
        headers: list[tuple[str, str]],
        body: bytes | Callable[[], bytes],
        layout: tuple[list[int], list[float]],
        *,
        headers_ms: float = 0.0,
        complete: bool = True,
        error: StreamError | None = None,
    ) -> RecordedResponse:
        """A response whose chunks are cut from `body` (bytes, or a function reading them) on first use.

        `layout` is (sizes, offsets_ms), one pair per chunk; the sizes must add up to the body's length.
        """
        response = cls.__new__(cls)  # skips __init__: a cached open builds thousands of these
        response.status = status
        response.reason = reason
        response.http_version = http_version
        response.headers = headers
        response._chunks = None
        response._body = body
        response._layout = layout
        response.headers_ms = headers_ms
        response.complete = complete
        response.error = error
        return response

    @property
    def chunks(self) -> list[Chunk]:
        """The body as the client received it: one `Chunk` per read, with its arrival time."""
        chunks = self._chunks
        if chunks is None:
            body = self.body
            assert self._layout is not None
            sizes, offsets = self._layout
            chunks = []
            start = 0
            for size, offset in zip(sizes, offsets, strict=True):
                chunks.append(Chunk(body[start : start + size], offset))
                start += size
            self._chunks = chunks
            self._body = None
            self._layout = None
        return chunks

    @chunks.setter
    def chunks(self, value: list[Chunk]) -> None:
        self._chunks = value
        self._body = None
        self._layout = None

    def layout(self) -> tuple[list[int], list[float]]:
        """(sizes, offsets_ms) of the chunks, without cutting the body into them."""
        if self._chunks is None:
            assert self._layout is not None
            return self._layout
        return [len(chunk.data) for chunk in self._chunks], [chunk.offset_ms for chunk in self._chunks]

    @property
    def body(self) -> bytes:
        """The whole body, all chunks joined."""
        if self._chunks is None:
            body = self._body
            if callable(body):
                body = self._body = body()
            assert isinstance(body, bytes)
            return body
        return b"".join(chunk.data for chunk in self._chunks)

    def _fields(self) -> tuple[object, ...]:
        return (
            self.status,
            self.reason,
            self.http_version,
            self.headers,
            self.chunks,
            self.headers_ms,
            self.complete,
            self.error,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, RecordedResponse)
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        names = ("status", "reason", "http_version", "headers", "chunks", "headers_ms", "complete", "error")
        shown = ", ".join(f"{name}={value!r}" for name, value in zip(names, self._fields(), strict=True))
        return f"RecordedResponse({shown})"

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        return _first_header(self.headers, name)

    @property
    def is_event_stream(self) -> bool:
        """True when the content type is `text/event-stream` (an SSE body)."""
        content_type = self.header("content-type") or ""
        return content_type.split(";", 1)[0].strip().lower() == "text/event-stream"


@dataclass(slots=True)
class Interaction:
    """One request and the response it got; `recorded_at` is an ISO-8601 UTC timestamp."""

    request: RecordedRequest
    response: RecordedResponse
    recorded_at: str = ""


@dataclass(slots=True)
class Cassette:
    """An ordered list of interactions plus free-form metadata (recorder version, client, …)."""

    interactions: list[Interaction] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
