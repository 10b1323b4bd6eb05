"""Server-sent events (SSE): an incremental decoder and a canonical encoder, with no I/O.

The decoder follows the WHATWG "event stream interpretation" rules
(https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):

* lines end with LF, CR or CRLF, also when a CRLF is split across two chunks;
* one leading UTF-8 byte order mark is dropped, only at the start of the stream;
* bytes are decoded as UTF-8 one complete line at a time (invalid bytes become U+FFFD), so a
  multi-byte character split across chunks is decoded whole;
* a line starting with ``:`` is a comment; a line without ``:`` is a field name with the value ``""``;
  one space after the colon is dropped; unknown fields are ignored;
* ``data`` lines are joined with ``\\n``; ``id`` is ignored when it contains NUL; ``retry`` is used
  only when it is all ASCII digits;
* a blank line dispatches the event, unless no ``data`` line was seen since the last blank line.

Where it differs from the ``openai`` SDK's ``SSEDecoder`` (``openai._streaming``), and why:

* **Event name.** An event without an ``event:`` field (or with an empty one) is named ``"message"``,
  the WHATWG default; the SDK gives ``None``. ``Event.event`` is therefore always a non-empty ``str``.
* **Events without data.** A block with ``event:``, ``id:`` or ``retry:`` but no ``data:`` line is not
  dispatched (WHATWG); the SDK dispatches it with ``data=""`` (and, once any id was seen, the SDK
  dispatches an empty event at every extra blank line). Streams in which every event has a ``data``
  line decode to the same events in both.
* **retry.** Only ASCII digits count (WHATWG); the SDK uses ``int()``, which also takes ``-1``, ``+1``,
  ``1_0`` or other scripts' digits.
* **BOM.** A leading BOM is dropped (WHATWG); the SDK keeps it as part of the first field name.
* **Invalid UTF-8** becomes U+FFFD (WHATWG); the SDK raises ``UnicodeDecodeError``.

``id`` follows both: it is the stream's *last event id*, which persists from event to event until an
``id:`` field changes it (``None`` until the first one). ``retry`` follows the SDK: it belongs to the
event whose block carried it and is ``None`` otherwise (the latest value is also kept in
``Decoder.retry``).

**Truncated streams.** An event whose blank line never came is not dispatched (WHATWG), so
``close()`` never returns it; instead ``close()`` sets ``Decoder.truncated`` to a `Truncated` that
holds the cut-off event (as it would have been dispatched, when it had a data line) and the
unfinished last line, so that a recorder can mark the stream as cut off.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from runreplay.errors import ConfigurationError

__all__ = ["Decoder", "Event", "Truncated", "encode"]

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Event:
    """One dispatched server-sent event; `event` defaults to the WHATWG type ``"message"``."""

    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None

    def json(self) -> Any:
        """The data parsed as JSON (raises `json.JSONDecodeError` when it is not JSON)."""
        return json.loads(self.data)


@dataclass(frozen=True, slots=True)
class Truncated:
    """What `Decoder.close` found after the last dispatched event when the stream stopped mid-event.

    `event` is the cut-off event as it would have been dispatched had a blank line followed (``None``
    when no complete ``data`` line had arrived yet); `partial_line` holds the bytes of an unfinished
    last line (no line end yet), ``b""`` when the stream stopped right after a line end.
    """

    event: Event | None
    partial_line: bytes


class Decoder:
    """Incremental SSE decoder: `feed` it the body's chunks as they arrive, then `close` it.

    After `close`, the decoder is ready for a new stream (the BOM rule and the last event id start
    afresh) and `truncated` tells how the stream that just ended stopped.
    """

    __slots__ = (
        "_data",
        "_ended",
        "_event",
        "_fields_seen",
        "_partial",
        "_retry_field",
        "_skip_lf",
        "_started",
        "last_event_id",
        "retry",
        "truncated",
    )

    def __init__(self) -> None:
        self.last_event_id: str | None = None
        """The stream's last event id (``None`` until an ``id:`` field sets it)."""
        self.retry: int | None = None
        """The latest valid ``retry:`` value of the stream, in milliseconds."""
        self.truncated: Truncated | None = None
        """Set by `close`: ``None`` when the stream ended at an event boundary."""
        self._partial = bytearray()
        self._skip_lf = False
        self._started = False
        self._data: list[str] = []
        self._event = ""
        self._retry_field: int | None = None
        self._fields_seen = False
        self._ended = False

    def feed(self, chunk: bytes) -> list[Event]:
        """Decode one chunk of the body; returns the events it completed, in order."""
        if not chunk:
            return []
        if self._ended:
            self._ended = False
            self.last_event_id = None
            self.retry = None
            self.truncated = None
        if self._skip_lf:
            self._skip_lf = False
            if chunk[0] == 0x0A:
                chunk = chunk[1:]
                if not chunk:
                    return []
        last = chunk[-1]
        if last != 0x0A and last != 0x0D:
            # No line end at the very end: the tail is an unfinished line.
            cut = max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))
            if cut < 0:
                self._partial += chunk
                return []
            lines = chunk[: cut + 1].splitlines()
            tail = chunk[cut + 1 :]
        else:
            lines = chunk.splitlines()
            tail = b""
            self._skip_lf = last == 0x0D
        if self._partial:
            self._partial += lines[0]
            lines[0] = bytes(self._partial)
            self._partial.clear()
        if not self._started:
            self._started = True
            if lines[0].startswith(_BOM):
                lines[0] = lines[0][3:]
        events = self._lines(lines)
        if tail:
            self._partial += tail
        return events

    def close(self) -> list[Event]:
        """End the stream; returns ``[]`` because WHATWG never dispatches a cut-off event.

        A stream that stopped in the middle of an event (or of a line) sets `truncated`; a stream that
        ended right after a blank line, or after nothing but comments, leaves it ``None``.
        `last_event_id` and `retry` keep the stream's final values until the next `feed`.
        """
        partial = bytes(self._partial)
        if not self._started and partial.startswith(_BOM):
            partial = partial[3:]
        if partial or self._fields_seen:
            event = None
            if self._data:
                data = "\n".join(self._data)
                event = Event(self._event or "message", data, self.last_event_id, self._retry_field)
            self.truncated = Truncated(event, partial)
        else:
            self.truncated = None
        self._partial.clear()
        self._skip_lf = False
        self._started = False
        self._data = []
        self._event = ""
        self._retry_field = None
        self._fields_seen = False
        self._ended = True
        return []

    def _lines(self, lines: list[bytes]) -> list[Event]:
        """Interpret complete lines (without their line ends); returns the events they dispatched."""
        events: list[Event] = []
        data = self._data
        event_type = self._event
        retry_field = self._retry_field
        seen = self._fields_seen
        for raw in lines:
            if not raw:
                if data:
                    events.append(
                        Event(event_type or "message", "\n".join(data), self.last_event_id, retry_field)
                    )
                    data = []
                event_type = ""
                retry_field = None
                seen = False
                continue
            if raw[0] == 0x3A:  # ":" starts a comment
                continue
            seen = True
            line = raw.decode("utf-8", "replace")
            name, _, value = line.partition(":")
            if value[:1] == " ":
                value = value[1:]
            if name == "data":
                data.append(value)
            elif name == "event":
                event_type = value
            elif name == "id":
                if "\x00" not in value:
                    self.last_event_id = value
            elif name == "retry" and value.isascii() and value.isdigit():
                retry_field = self.retry = int(value)
        self._data = data
        self._event = event_type
        self._retry_field = retry_field
        self._fields_seen = seen
        return events


def _check(event: Event, previous_id: str | None) -> None:
    """Raise ConfigurationError (a ValueError) when a decoder could not read `event` back unchanged."""
    name = event.event
    if not name or "\n" in name or "\r" in name:
        raise ConfigurationError(
            f"cannot encode event name {name!r}: an SSE event name must be non-empty and on one line "
            f'(no "\\r" or "\\n"); use "message" for the default type.'
        )
    if event.id is None:
        if previous_id is not None:
            raise ConfigurationError(
                f"cannot encode an event without an id after one with id {previous_id!r}: the SSE last "
                'event id persists until changed, so a decoder would give it that id; pass id="" to '
                "clear it instead."
            )
    elif "\n" in event.id or "\r" in event.id or "\x00" in event.id:
        raise ConfigurationError(
            f'cannot encode event id {event.id!r}: an SSE id must be on one line and free of NUL (no "\\r", '
            '"\\n" or "\\x00").'
        )
    if event.retry is not None and (type(event.retry) is not int or event.retry < 0):
        raise ConfigurationError(
            f"cannot encode retry={event.retry!r}: an SSE retry is a whole number of milliseconds, 0 or more."
        )


def encode(events: Iterable[Event]) -> bytes:
    """The canonical SSE encoding of `events`, which `Decoder` reads back as the same events.

    Each event is written as ``event: NAME`` (left out for the default ``"message"``), ``id: ID`` and
    ``retry: N`` when set, one ``data: LINE`` per line of the data (CR, LF and CRLF in the data all
    split lines; an empty line is written ``data:``), then a blank line; LF line ends, UTF-8. Events
    are encoded independently, so ``encode(a) + encode(b) == encode(a + b)`` for lists a and b.

    Round-trip domain, ``decode(encode(events)) == events``: event names non-empty and without CR/LF;
    data without CR (it would come back as LF); ids without CR, LF or NUL, and never ``None`` after an
    event with an id (the last event id persists; use ``""`` to clear it); retry an ``int`` >= 0; no
    lone surrogates. Anything else outside this domain raises ValueError.
    """
    parts: list[str] = []
    previous_id: str | None = None
    for event in events:
        _check(event, previous_id)
        previous_id = event.id
        if event.event != "message":
            parts.append(f"event: {event.event}\n")
        if event.id is not None:
            parts.append(f"id: {event.id}\n" if event.id else "id:\n")
        if event.retry is not None:
            parts.append(f"retry: {event.retry}\n")
        data = event.data
        if "\r" in data:
            data = data.replace("\r\n", "\n").replace("\r", "\n")
        for line in data.split("\n"):
            parts.append(f"data: {line}\n" if line else "data:\n")
        parts.append("\n")
    return "".join(parts).encode("utf-8")
