"""Fault specs applied on replay: a broken connection, a stall, an SSE `error` event, an HTTP error first.

Give them to a cassette, `@pytest.mark.cassette(faults=[drop_after(events=3)])`, to drive a client's
error handling from a recording instead of waiting for production to misbehave. Each spec checks its
arguments when it is made, so a typo fails at collection, not in the middle of a stream.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from runreplay.errors import ConfigurationError

__all__ = [
    "DropAfter",
    "ErrorEvent",
    "Fault",
    "HttpError",
    "Stall",
    "drop_after",
    "error_event",
    "http_error",
    "stall",
]


def _check_int(name: str, value: object, *, minimum: int) -> int:
    """Return `value` if it is an int >= minimum, else raise a ConfigurationError that says so."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigurationError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return value


def _check_seconds(name: str, value: object) -> float:
    """Return `value` as float seconds if it is a finite number >= 0, else raise ConfigurationError."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ConfigurationError(f"{name} must be a finite number of seconds >= 0, got {value!r}.")
    return float(value)


@dataclass(frozen=True, slots=True)
class DropAfter:
    """The connection breaks right after SSE event number `events` (1-based count of complete events)."""

    events: int
    times: int | None = None


@dataclass(frozen=True, slots=True)
class Stall:
    """The stream pauses `seconds` before body chunk `before_chunk` (0-based); a client read timeout fires."""

    before_chunk: int
    seconds: float
    times: int | None = None


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """An SSE `error` event, shaped as the API sends it, replaces the stream after event `after`."""

    after: int
    message: str
    code: str | None
    type: str
    times: int | None = None


@dataclass(frozen=True, slots=True)
class HttpError:
    """The first `times` requests get an HTTP error with the API's error body before the recording plays."""

    status: int
    times: int
    retry_after: float | None
    message: str


Fault = DropAfter | Stall | ErrorEvent | HttpError
"""Any one fault spec."""


def _check_times(name: str, times: object) -> int | None:
    """`times` is None (every replayed response) or an int >= 1 (the first that many)."""
    return None if times is None else _check_int(f"{name}(times=...)", times, minimum=1)


def drop_after(*, events: int, times: int | None = None) -> DropAfter:
    """Break the connection after `events` complete SSE events, as a dropped TCP connection would.

    It applies to every replayed event stream of the cassette, or to the first `times` of them.
    """
    checked = _check_int("drop_after(events=...)", events, minimum=0)
    return DropAfter(events=checked, times=_check_times("drop_after", times))


def stall(*, before_chunk: int, seconds: float, times: int | None = None) -> Stall:
    """Pause `seconds` before chunk `before_chunk`; if the client's read timeout is shorter, it fires.

    It applies to every replayed response of the cassette, or to the first `times` of them.
    """
    return Stall(
        before_chunk=_check_int("stall(before_chunk=...)", before_chunk, minimum=0),
        seconds=_check_seconds("stall(seconds=...)", seconds),
        times=_check_times("stall", times),
    )


def error_event(
    *,
    after: int,
    message: str = "The server had an error while processing your request. Sorry about that!",
    code: str | None = "server_error",
    type: str = "server_error",
    times: int | None = None,
) -> ErrorEvent:
    """End the stream after `after` events with an `event: error` frame carrying the API's Error object.

    It applies to every replayed event stream of the cassette, or to the first `times` of them.
    """
    if not isinstance(message, str):
        raise ConfigurationError(f"error_event(message=...) must be a string, got {message!r}.")
    return ErrorEvent(
        after=_check_int("error_event(after=...)", after, minimum=0),
        message=message,
        code=code,
        type=type,
        times=_check_times("error_event", times),
    )


_DEFAULT_HTTP_MESSAGES = {
    429: "Rate limit reached for requests. Please try again in a moment.",
    500: "The server had an error while processing your request. Sorry about that!",
    502: "Bad gateway.",
    503: "The engine is currently overloaded, please try again later.",
}


def http_error(
    *, status: int, times: int = 1, retry_after: float | None = 0.05, message: str | None = None
) -> HttpError:
    """Answer the first `times` requests with HTTP `status` (and `retry-after`), then replay the recording.

    `retry_after` is in seconds; it is sent as `retry-after-ms` (which the openai SDK prefers) and as a
    whole-second `retry-after`. Use None to send neither.
    """
    status = _check_int("http_error(status=...)", status, minimum=400)
    if status > 599:
        raise ConfigurationError(
            f"http_error(status=...) must be an HTTP error status 400-599, got {status!r}."
        )
    if retry_after is not None:
        retry_after = _check_seconds("http_error(retry_after=...)", retry_after)
    text = message if message is not None else _DEFAULT_HTTP_MESSAGES.get(status, f"HTTP error {status}.")
    return HttpError(
        status=status,
        times=_check_int("http_error(times=...)", times, minimum=1),
        retry_after=retry_after,
        message=text,
    )
