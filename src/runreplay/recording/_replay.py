"""How a recorded response is played back: which bytes, when, and which error ends it.

A `Plan` is built once per replayed response from the recording, the replay speed and the faults;
`actions()` then walks it lazily so that both the sync and the async client adapters (httpx, httpx2,
requests) share one timing and fault implementation and differ only in how they sleep and raise.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from runreplay.cassette.model import RecordedResponse
from runreplay.errors import CassetteFormatError
from runreplay.faults import DropAfter, ErrorEvent, Fault, Stall

__all__ = [
    "BROKEN_STREAM_MESSAGE",
    "KNOWN_ERRORS",
    "MAX_ERROR_MESSAGE",
    "Data",
    "Plan",
    "Raise",
    "Sleep",
    "build_plan",
    "cap_message",
    "error_kind",
    "event_ends",
]

BROKEN_STREAM_MESSAGE = (
    "peer closed connection without sending complete message body (incomplete chunked read)"
)
"""What a client sees when the server's connection drops mid-body; used for the `drop_after` fault."""

_LINE_END = re.compile(rb"\r\n|\r|\n")

MAX_ERROR_MESSAGE = 2000
"""Recorded and replayed error messages are cut to this many characters (a server can echo anything)."""


def _names(kind: str, prefixes: tuple[str, ...], names: str) -> dict[str, str]:
    """`{prefix.name: kind}` for every prefix and every name in the space-separated `names`."""
    return {f"{prefix}.{name}" if prefix else name: kind for prefix in prefixes for name in names.split()}


_HTTPX = ("httpx", "httpx2")
KNOWN_ERRORS: dict[str, str] = {
    **_names(
        "protocol",
        _HTTPX,
        "RemoteProtocolError LocalProtocolError ProtocolError ReadError WriteError ConnectError "
        "NetworkError TransportError ProxyError DecodingError CloseError",
    ),
    **_names("read_timeout", _HTTPX, "ReadTimeout WriteTimeout ConnectTimeout PoolTimeout TimeoutException"),
    **_names(
        "protocol",
        ("requests", "requests.exceptions"),
        "ConnectionError ChunkedEncodingError ContentDecodingError SSLError ProxyError RequestException",
    ),
    **_names("read_timeout", ("requests", "requests.exceptions"), "ReadTimeout ConnectTimeout Timeout"),
    **_names(
        "protocol",
        ("urllib3.exceptions",),
        "ProtocolError IncompleteRead InvalidChunkLength SSLError NewConnectionError DecodeError "
        "ResponseNotChunked ProxyError HTTPError",
    ),
    **_names("read_timeout", ("urllib3.exceptions",), "ReadTimeoutError ConnectTimeoutError TimeoutError"),
    **_names(
        "protocol",
        ("aiohttp", "aiohttp.client_exceptions"),
        "ClientPayloadError ServerDisconnectedError ClientConnectionError ClientOSError "
        "ClientConnectionResetError ClientConnectorError",
    ),
    **_names(
        "read_timeout", ("aiohttp", "aiohttp.client_exceptions"), "ServerTimeoutError SocketTimeoutError"
    ),
    **_names(
        "protocol",
        ("http.client",),
        "IncompleteRead RemoteDisconnected BadStatusLine HTTPException LineTooLong",
    ),
    **_names(
        "protocol",
        ("builtins", "socket", ""),
        "ConnectionError ConnectionResetError ConnectionAbortedError ConnectionRefusedError "
        "BrokenPipeError OSError EOFError",
    ),
    **_names("read_timeout", ("builtins", "socket", ""), "TimeoutError timeout"),
    **_names("protocol", ("ssl",), "SSLError SSLEOFError SSLZeroReturnError"),
}
"""Every exception type a cassette may name in `error.type`, by name, and how it ends a body.

`protocol` is a broken connection, `read_timeout` a silent one. Adapters raise their own client's
class of that name when it has one, else their client's class for the kind. Nothing named in a
cassette is ever imported: a cassette is data, and must not choose what code runs.
"""


def cap_message(message: str, limit: int = MAX_ERROR_MESSAGE) -> str:
    """`message` cut to `limit` characters, saying how much was left out."""
    if len(message) <= limit:
        return message
    return f"{message[:limit]}… [{len(message) - limit} more characters not shown]"


def error_kind(type_name: str, *, source: str = "<cassette>", position: int | None = None) -> str:
    """`protocol` or `read_timeout` for a recorded error type; CassetteFormatError for any other type."""
    kind = KNOWN_ERRORS.get(type_name)
    if kind is None:
        where = "error.type" if position is None else f"interactions[{position}].response.error.type"
        raise CassetteFormatError(
            source,
            f"{where} is {cap_message(type_name, 100)!r}, which is not a network error runreplay replays "
            "(a cassette is data: it never names code to import)",
            expected="a network error of httpx, httpx2, requests, urllib3, aiohttp, http.client or the "
            "standard library, such as httpx2.RemoteProtocolError (the full list is "
            "runreplay.recording._replay.KNOWN_ERRORS)",
        )
    return kind


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait this many seconds before the next action."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Data:
    """Hand this chunk to the client."""

    data: bytes


@dataclass(frozen=True, slots=True)
class Raise:
    """End the body with an error of this kind: `protocol`, `read_timeout` or `recorded` (see `type`).

    For `recorded`, `type` is the recorded name (a key of `KNOWN_ERRORS`) and `recorded_kind` its kind.
    """

    kind: str
    message: str
    type: str | None = None
    recorded_kind: str = "protocol"

    @property
    def effective_kind(self) -> str:
        """`protocol` or `read_timeout`: what the client should see."""
        return self.recorded_kind if self.kind == "recorded" else self.kind

    @property
    def class_name(self) -> str | None:
        """The bare class name of a recorded error (`RemoteProtocolError`), None for other ends."""
        return self.type.rpartition(".")[2] if self.kind == "recorded" and self.type else None


@dataclass(slots=True)
class Plan:
    """The chunks with their due times (seconds after the request), pauses before chunks, and the end."""

    headers_at: float
    chunks: list[tuple[float, bytes]]
    stalls: dict[int, float] = field(default_factory=dict)
    end: Raise | None = None

    @property
    def instant(self) -> bool:
        """Whether playing takes no time and ends without an error (speed 0, no stalls, no error)."""
        return self.end is None and not self.stalls and (not self.chunks or self.chunks[-1][0] <= 0.0)

    def actions(self, started: float, read_timeout: float | None = None) -> Iterator[Sleep | Data | Raise]:
        """The steps to play, with sleeps computed against the clock so timing does not drift.

        `started` is the `time.perf_counter()` reading when the request was sent. A stall longer than
        the client's read timeout ends the body with a `read_timeout` error after that timeout, as a
        real silent server would.
        """
        if not self.stalls and (not self.chunks or self.chunks[-1][0] <= 0.0):  # see `instant`
            # Instant replay (speed 0, no stalls): no clock reads, no sleeps; just the chunks.
            for _, data in self.chunks:
                yield Data(data)
            if self.end is not None:
                yield self.end
            return
        shift = 0.0
        for position, (due, data) in enumerate(self.chunks):
            pause = self.stalls.get(position)
            if pause:
                if read_timeout is not None and pause >= read_timeout:
                    yield Sleep(read_timeout)
                    yield Raise("read_timeout", "The read operation timed out")
                    return
                yield Sleep(pause)
                shift += pause
            wait = started + due + shift - time.perf_counter()
            if wait > 0:
                yield Sleep(wait)
            yield Data(data)
        if self.end is not None:
            yield self.end


def event_ends(body: bytes) -> list[int]:
    """Byte offsets in an SSE body just after each event that a client would dispatch."""
    from runreplay.sse import Decoder

    decoder = Decoder()
    ends: list[int] = []
    position = 0
    for match in _LINE_END.finditer(body):
        line_end = match.end()
        for _ in decoder.feed(body[position:line_end]):
            ends.append(line_end)
        position = line_end
    return ends


def _cut(chunks: list[tuple[float, bytes]], at: int) -> list[tuple[float, bytes]]:
    """The chunks holding the first `at` bytes of the body, splitting the chunk that spans `at`."""
    kept: list[tuple[float, bytes]] = []
    remaining = at
    for due, data in chunks:
        if remaining <= 0:
            break
        kept.append((due, data[:remaining]))
        remaining -= len(data)
    return kept


def _error_frame(fault: ErrorEvent) -> bytes:
    """An SSE `error` event carrying the API's `Error` object (code, message, param, type)."""
    payload = {"code": fault.code, "message": fault.message, "param": None, "type": fault.type}
    return b"event: error\ndata: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


def build_plan(
    response: RecordedResponse,
    faults: Sequence[Fault],
    speed: float,
    *,
    source: str = "<cassette>",
    position: int | None = None,
) -> Plan:
    """Turn a recorded response, the active stream faults and the replay speed into a `Plan`.

    A recorded error must name a type of `KNOWN_ERRORS` (else `CassetteFormatError`, naming `source`).
    """
    chunks = [(chunk.offset_ms * speed / 1000.0, chunk.data) for chunk in response.chunks]
    plan = Plan(headers_at=response.headers_ms * speed / 1000.0, chunks=chunks)
    if response.error is not None:
        error = response.error
        kind = error_kind(error.type, source=source, position=position)
        plan.chunks = chunks[: error.after_chunk]
        plan.end = Raise("recorded", cap_message(error.message), error.type, kind)
    for fault in faults:
        if isinstance(fault, Stall):
            plan.stalls[fault.before_chunk] = plan.stalls.get(fault.before_chunk, 0.0) + fault.seconds
        elif isinstance(fault, DropAfter | ErrorEvent) and response.is_event_stream:
            count = fault.events if isinstance(fault, DropAfter) else fault.after
            ends = event_ends(b"".join(data for _, data in plan.chunks))
            cut_at = ends[count - 1] if 0 < count <= len(ends) else (0 if count == 0 else None)
            if cut_at is not None:
                plan.chunks = _cut(plan.chunks, cut_at)
            if isinstance(fault, DropAfter):
                plan.end = Raise("protocol", BROKEN_STREAM_MESSAGE)
            else:
                due = plan.chunks[-1][0] if plan.chunks else plan.headers_at
                plan.chunks.append((due, _error_frame(fault)))
                plan.end = None
    return plan
