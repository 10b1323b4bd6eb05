"""The in-memory cassette: plain dataclasses shared by the recorder, the replayer and the file format.

Everything here is already redacted: secrets are removed before an interaction is built. Bodies are
raw bytes; the response body is the list of chunks exactly as the client received them (after
content decoding), each with the time it arrived, so that replay can rebuild every byte, every
chunk boundary and the timing.
"""

from __future__ import annotations

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
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None


@dataclass(slots=True)
class StreamError:
    """A transport error raised while the body was read, to be raised again at the same place.

    `type` is the exception's qualified class name (e.g. `httpx2.RemoteProtocolError`), and
    `after_chunk` is how many chunks the client had received when it was raised.
    """

    type: str
    message: str
    after_chunk: int


@dataclass(slots=True)
class RecordedResponse:
    """The response as received: status line, headers, body chunks with timing, and how it ended.

    `complete` is False when the client closed the stream before its end (a partial recording);
    `error` is set when the connection failed mid-body.
    """

    status: int
    reason: str = ""
    http_version: str = "HTTP/1.1"
    headers: list[tuple[str, str]] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    headers_ms: float = 0.0
    complete: bool = True
    error: StreamError | None = None

    @property
    def body(self) -> bytes:
        """The whole body, all chunks joined."""
        return b"".join(chunk.data for chunk in self.chunks)

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

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
