"""The events of a recorded SSE response with their arrival times, and a one-line summary of each."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from runreplay import sse
from runreplay.cassette import RecordedResponse

__all__ = ["StreamView", "TimedEvent", "body_summary", "decode_stream", "duration_ms", "summarize"]

_MAX_SUMMARY = 72


@dataclass(frozen=True, slots=True)
class TimedEvent:
    """One decoded event: its 0-based index, name, data, and the arrival of the chunk that completed it."""

    index: int
    event: str
    data: str
    offset_ms: float
    chunk: int


@dataclass(frozen=True, slots=True)
class StreamView:
    """The events of one response, and what was left when the stream stopped mid-event (or None)."""

    events: list[TimedEvent]
    cut_off: sse.Truncated | None


def decode_stream(response: RecordedResponse) -> StreamView:
    """Feed the recorded chunks to an SSE decoder, stamping each event with its chunk's offset."""
    decoder = sse.Decoder()
    events: list[TimedEvent] = []
    for number, chunk in enumerate(response.chunks):
        for event in decoder.feed(chunk.data):
            events.append(TimedEvent(len(events), event.event, event.data, chunk.offset_ms, number))
    decoder.close()
    return StreamView(events, decoder.truncated)


def duration_ms(response: RecordedResponse) -> float:
    """Milliseconds from sending the request to the last chunk (to the headers when there is no body)."""
    return response.chunks[-1].offset_ms if response.chunks else response.headers_ms


def _shorten(text: str, limit: int = _MAX_SUMMARY) -> str:
    """`text` cut to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quoted(text: str, limit: int = 48) -> str:
    """A string shown as JSON (quotes, escaped line breaks), cut to `limit` characters."""
    return json.dumps(_shorten(text, limit), ensure_ascii=False)


def _dict(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one (event data is read tolerantly)."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    """`value` when it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def _words(*parts: Any) -> str:
    """The non-empty parts joined by spaces."""
    return " ".join(str(part) for part in parts if part not in (None, ""))


def _message_text(content: Any, key: str = "text") -> str:
    """The text of a message's (or a delta's) content blocks, joined."""
    return "".join(
        str(_dict(block.get(key)).get("value", ""))
        for block in map(_dict, _list(content))
        if block.get("type") == "text"
    )


def _tool_calls(calls: Any) -> str:
    """Function calls as `name(arguments)`; other tool calls by their type."""
    shown = []
    for call in map(_dict, _list(calls)):
        function = _dict(call.get("function"))
        if function:
            name = function.get("name") or ""
            arguments = function.get("arguments")
            shown.append(f"{name}({arguments})" if arguments is not None else str(name))
        else:
            shown.append(str(call.get("type", "?")))
    return ", ".join(shown)


def _run(data: dict[str, Any]) -> str:
    """A run: id, status, the tool calls it waits for, its error and token usage."""
    parts = [data.get("id"), data.get("status")]
    action = _dict(_dict(data.get("required_action")).get("submit_tool_outputs"))
    if action:
        parts.append("→ " + _tool_calls(action.get("tool_calls")))
    error = _dict(data.get("last_error"))
    if error:
        parts.append(f"{error.get('code', 'error')}: {error.get('message', '')}")
    usage = _dict(data.get("usage"))
    if usage.get("total_tokens") is not None:
        parts.append(f"{usage['total_tokens']} tokens")
    return _words(*parts)


def _step(data: dict[str, Any]) -> str:
    """A run step: id, type, status and its tool calls."""
    details = _dict(data.get("step_details"))
    calls = _tool_calls(details.get("tool_calls"))
    return _words(data.get("id"), data.get("type") or details.get("type"), data.get("status"), calls)


def _step_delta(data: dict[str, Any]) -> str:
    """A step delta's tool calls: a function's name when it starts, then each arguments fragment, quoted."""
    details = _dict(_dict(data.get("delta")).get("step_details"))
    parts = []
    for call in map(_dict, _list(details.get("tool_calls"))):
        function = _dict(call.get("function"))
        if function.get("name"):
            parts.append(str(function["name"]))
        if function.get("arguments"):
            parts.append(_quoted(str(function["arguments"])))
        if not function:
            parts.append(str(call.get("type", "?")))
    return _words(data.get("id"), " ".join(parts) or details.get("type"))


def _message(data: dict[str, Any]) -> str:
    """A message: id, status and (once complete) the start of its text."""
    text = _message_text(data.get("content"))
    return _words(data.get("id"), data.get("status"), _quoted(text) if text else None)


def _error(data: dict[str, Any]) -> str:
    """An API error (bare or wrapped in `error`): its code or type, and its message."""
    error = _dict(data.get("error")) or data
    return _words(f"{error.get('code') or error.get('type') or 'error'}:", error.get("message"))


def summarize(event: str, data: str) -> str:
    """A one-line reading of an event's data: ids and statuses, the text of a delta, tool calls, errors."""
    if event == "done":
        return data
    try:
        value = json.loads(data)
    except ValueError:
        return _shorten(data.replace("\n", "\\n"))
    if not isinstance(value, dict):
        return _shorten(json.dumps(value, ensure_ascii=False))
    if event == "thread.message.delta":
        return _quoted(_message_text(_dict(value.get("delta")).get("content")), _MAX_SUMMARY - 2)
    if event == "thread.run.step.delta":
        text = _step_delta(value)
    elif event.startswith("thread.run.step."):
        text = _step(value)
    elif event.startswith("thread.run."):
        text = _run(value)
    elif event.startswith("thread.message."):
        text = _message(value)
    elif event == "error":
        text = _error(value)
    elif event == "thread.created":
        text = _words(value.get("id"))
    else:
        text = _words(value.get("id"), value.get("object"), value.get("status")) or ", ".join(value)
    return _shorten(text)


def body_summary(response: RecordedResponse) -> str | None:
    """For a JSON response: its object, id and status, or the API error's message; None otherwise."""
    try:
        value = json.loads(response.body)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("error"), dict):
        return _shorten(_error(value))
    if value.get("object") == "list":
        return f"list of {len(_list(value.get('data')))}"
    return _shorten(_words(value.get("object"), value.get("id"), value.get("status"))) or None
