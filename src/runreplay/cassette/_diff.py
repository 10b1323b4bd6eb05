"""What changed between two recordings of the same tests, classified so a reviewer knows what to look at.

Interactions are paired the way replay matches them (`make_key_function` on method, URL and JSON
body, identical requests in order). What is left is paired again with ids and other volatile fields
masked (a re-recording gets new thread and run ids in its URLs and bodies), then by method and path
alone (the request itself changed). Each pair is compared on: status; headers other than
`VOLATILE_HEADERS`; JSON fields other than `VOLATILE_FIELDS`; the sequence of SSE event types; the
assembled message text; the tool calls (names, argument keys, argument values); the token usage.

Every change has a level, and the verdict is the highest:

* ``same`` (exit 0): nothing changed but volatile fields, volatile headers and timing;
* ``content`` (exit 1): text, JSON values, non-volatile headers, tool-call argument values or usage;
* ``shape`` (exit 2): interactions added or removed, a request that replay would no longer match,
  the status, the content type, JSON fields added or removed, the event types or their order, how a
  stream ended (complete, partial or cut by an error), tool-call names or argument keys.

Runs of the same delta event (``thread.message.delta``, ``response.output_text.delta``, chat
completion chunks, …) count as one event type, since a different wording is streamed in a different
number of deltas; tool calls streamed in fragments (chat completions) are assembled before comparing.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import re
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from runreplay import sse
from runreplay.cassette._index import CassetteIndex, make_key_function
from runreplay.cassette._usage import Usage, usage_of
from runreplay.cassette.model import Cassette, Interaction, RecordedRequest, RecordedResponse

__all__ = [
    "LEVELS",
    "VOLATILE_FIELDS",
    "VOLATILE_HEADERS",
    "CassetteDiff",
    "Change",
    "PairDiff",
    "ResponseView",
    "ToolCall",
    "compare_responses",
    "diff_cassettes",
    "view_response",
]

VOLATILE_FIELDS: tuple[str, ...] = (
    "id",
    "*_id",
    "*_ids",
    "created",
    "*_at",
    "system_fingerprint",
    "obfuscation",
)
"""JSON field names (glob patterns) whose values change on every recording: ids and timestamps."""

VOLATILE_HEADERS: tuple[str, ...] = (
    "date",
    "age",
    "etag",
    "set-cookie",
    "content-length",
    "transfer-encoding",
    "x-request-id",
    "request-id",
    "openai-processing-ms",
    "openai-organization",
    "openai-project",
    "x-ratelimit-*",
    "x-envoy-upstream-service-time",
    "cf-*",
    "server-timing",
    "alt-svc",
    "via",
)
"""Response header names (glob patterns) that differ from one recording to the next."""

LEVELS = ("same", "content", "shape")
"""Verdict names by level (the exit status of `runreplay diff`)."""

SAME, CONTENT, SHAPE = 0, 1, 2

_ID_SEGMENT = re.compile(r"^(?:[a-z]+_[A-Za-z0-9]{6,}|[A-Za-z0-9-]{24,})$")
_SHOWN = 60
_CONTEXT = 12


def _volatile(name: str, patterns: tuple[str, ...]) -> bool:
    lowered = name.lower()
    return any(fnmatch.fnmatchcase(lowered, pattern) for pattern in patterns)


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: its level (0 volatile, 1 content, 2 shape), what changed, old and new values."""

    level: int
    what: str
    old: Any = None
    new: Any = None

    def describe(self) -> str:
        """`what: old → new`, values shortened."""
        if self.old is None and self.new is None:
            return self.what
        old, new = self.old, self.new
        if isinstance(old, str) and isinstance(new, str):
            pairs = enumerate(zip(old, new, strict=False))
            common = next((i for i, (a, b) in pairs if a != b), min(len(old), len(new)))
            if common > _CONTEXT:  # show where they start to differ, not the shared beginning
                old, new = "…" + old[common - _CONTEXT :], "…" + new[common - _CONTEXT :]
        return f"{self.what}: {_show(old)} → {_show(new)}"


def _show(value: Any) -> str:
    """A value as JSON, strings cut to about `_SHOWN` characters (the closing quote kept)."""
    if isinstance(value, str) and len(value) > _SHOWN:
        return json.dumps(value[: _SHOWN - 1] + "…", ensure_ascii=False)
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A function call: its name and its arguments (a JSON object when they parse as one)."""

    name: str
    arguments: Any


@dataclass(slots=True)
class ResponseView:
    """What `diff` (and the report) compare in one response."""

    status: int
    content_type: str
    headers: dict[str, list[str]]
    events: list[str] = field(default_factory=list)
    deltas: list[bool] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    volatile: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    usage: Usage | None = None
    ending: str = "complete"
    raw_text: str | None = None
    timing: tuple[float, ...] = ()

    @property
    def event_shape(self) -> list[str]:
        """The event types with runs of the same delta event counted once."""
        shape: list[str] = []
        for index, name in enumerate(self.events):
            delta = self.deltas[index] if index < len(self.deltas) else name.endswith(".delta")
            if not (delta and index and self.events[index - 1] == name and shape[-1] == name):
                shape.append(name)
        return shape


def _flatten(value: Any, path: str, view: ResponseView) -> None:
    """Record each leaf of `value` under its path, in `volatile` when its key is volatile."""
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if _volatile(str(key), VOLATILE_FIELDS) and not isinstance(item, dict | list):
                view.volatile[child] = item
            else:
                _flatten(item, child, view)
    elif isinstance(value, list):
        if not value:
            view.fields[path] = []
        for index, item in enumerate(value):
            _flatten(item, f"{path}[{index}]", view)
    else:
        view.fields[path] = value


def _arguments(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _calls_in(value: Any, found: dict[Hashable, ToolCall], order: list[Hashable]) -> None:
    """Function calls anywhere in `value`: Assistants and chat `function` objects, Responses function_call."""
    if isinstance(value, list):
        for item in value:
            _calls_in(item, found, order)
        return
    if not isinstance(value, dict):
        return
    function = value.get("function")
    call: ToolCall | None = None
    if isinstance(function, dict) and isinstance(function.get("name"), str) and "arguments" in function:
        call = ToolCall(function["name"], _arguments(function.get("arguments")))
    elif value.get("type") == "function_call" and isinstance(value.get("name"), str):
        call = ToolCall(value["name"], _arguments(value.get("arguments")))
    if call is not None:
        key = value.get("call_id") or value.get("id") or len(order)
        if key not in found:
            order.append(key)
        found[key] = call
        return
    for item in value.values():
        _calls_in(item, found, order)


def _delta_text(name: str, data: Any) -> str:
    """The text a delta event adds: Assistants message deltas, Responses text deltas, chat chunks."""
    if not isinstance(data, dict):
        return ""
    if name == "thread.message.delta":
        content = (data.get("delta") or {}).get("content") or []
        return "".join(
            str(((block.get("text") or {}).get("value")) or "")
            for block in content
            if isinstance(block, dict) and block.get("type") == "text"
        )
    if name == "response.output_text.delta" and isinstance(data.get("delta"), str):
        return str(data["delta"])
    choices = data.get("choices")
    if isinstance(choices, list):
        return "".join(
            str((choice.get("delta") or {}).get("content") or "")
            for choice in choices
            if isinstance(choice, dict) and isinstance(choice.get("delta"), dict)
        )
    return ""


def _chat_call_deltas(data: Any, found: dict[Hashable, ToolCall], order: list[Hashable]) -> None:
    """Assemble a chat completion stream's tool calls from their deltas (name, then argument fragments)."""
    choices = data.get("choices") if isinstance(data, dict) else None
    for choice in choices if isinstance(choices, list) else []:
        delta = choice.get("delta") if isinstance(choice, dict) else None
        calls = delta.get("tool_calls") if isinstance(delta, dict) else None
        for call in calls if isinstance(calls, list) else []:
            function = call.get("function") if isinstance(call, dict) else None
            if not isinstance(function, dict):
                continue
            key = ("chat", choice.get("index"), call.get("index"))
            if key not in found:
                order.append(key)
                found[key] = ToolCall("", "")
            known = found[key]
            name = known.name + str(function.get("name") or "")
            found[key] = ToolCall(name, str(known.arguments) + str(function.get("arguments") or ""))


def _body_text(value: Any) -> str:
    """The answer text of a non-streamed JSON body: chat message, Responses output or Assistants message."""
    if not isinstance(value, dict):
        return ""
    parts: list[str] = []
    for choice in value.get("choices") or []:
        if isinstance(choice, dict) and isinstance(choice.get("message"), dict):
            parts.append(str(choice["message"].get("content") or ""))
    for item in value.get("output") or []:
        for block in (item.get("content") or []) if isinstance(item, dict) else []:
            if isinstance(block, dict) and block.get("type") == "output_text":
                parts.append(str(block.get("text") or ""))
    messages = value.get("data") if value.get("object") == "list" else [value]
    for message in messages or []:
        if isinstance(message, dict) and message.get("object") == "thread.message":
            for block in message.get("content") or []:
                if isinstance(block, dict) and block.get("type") == "text":
                    parts.append(str((block.get("text") or {}).get("value") or ""))
    return "".join(parts)


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def view_response(response: RecordedResponse) -> ResponseView:
    """Decode a recorded response into what `diff` compares."""
    headers: dict[str, list[str]] = {}
    for name, value in response.headers:
        if not _volatile(name, VOLATILE_HEADERS):
            headers.setdefault(name.lower(), []).append(value)
    content_type = (response.header("content-type") or "").split(";", 1)[0].strip().lower()
    view = ResponseView(response.status, content_type, headers)
    view.timing = (response.headers_ms, *(chunk.offset_ms for chunk in response.chunks))
    if response.error is not None:
        view.ending = f"error {response.error.type}"
    elif not response.complete:
        view.ending = "partial"
    calls: dict[Hashable, ToolCall] = {}
    order: list[Hashable] = []
    if response.is_event_stream:
        decoder = sse.Decoder()
        events = [event for chunk in response.chunks for event in decoder.feed(chunk.data)]
        decoder.close()
        if decoder.truncated is not None and view.ending == "complete":
            view.ending = "cut off mid-event"
        kept = 0
        for event in events:
            view.events.append(event.event)
            data = _parse(event.data)
            delta = event.event.endswith(".delta") or (isinstance(data, dict) and "choices" in data)
            view.deltas.append(delta)
            if delta:
                view.text += _delta_text(event.event, data)
                _chat_call_deltas(data, calls, order)
                found = usage_of(data)  # a chat stream's last chunk carries the usage
                if found is not None:
                    view.usage = found[1]
                continue
            _flatten(data, f"events[{kept}:{event.event}]", view)
            _calls_in(data, calls, order)
            found = usage_of(data)
            if found is not None:
                view.usage = found[1]
            kept += 1
    else:
        body = response.body
        value = _parse(body.decode("utf-8", "replace")) if body else ""
        if isinstance(value, dict | list):
            _flatten(value, "", view)
            _calls_in(value, calls, order)
            view.text = _body_text(value)
            found = usage_of(value)
            view.usage = found[1] if found is not None else None
        else:
            view.raw_text = body.decode("utf-8", "replace")
    view.tool_calls = [
        ToolCall(call.name, _arguments(call.arguments)) if isinstance(key, tuple) else call
        for key, call in ((key, calls[key]) for key in order)
    ]
    return view


@dataclass(slots=True)
class PairDiff:
    """One old interaction and the new one it was paired with (either may be missing), and the changes."""

    old: int | None
    new: int | None
    method: str
    url: str
    status: tuple[int | None, int | None]
    changes: list[Change] = field(default_factory=list)

    @property
    def level(self) -> int:
        """The highest level of the changes (0 when nothing but volatile fields and timing changed)."""
        return max((change.level for change in self.changes), default=SAME)


@dataclass(slots=True)
class CassetteDiff:
    """All pairs, in the new recording's order, then the removed interactions."""

    pairs: list[PairDiff]

    @property
    def level(self) -> int:
        """The verdict: 0 same, 1 content changed, 2 shape changed."""
        return max((pair.level for pair in self.pairs), default=SAME)

    def document(self, old: str, new: str) -> dict[str, Any]:
        """The machine-readable form of `runreplay diff --json`."""
        return {
            "old": old,
            "new": new,
            "verdict": LEVELS[self.level],
            "exit_status": self.level,
            "volatile_fields": list(VOLATILE_FIELDS),
            "volatile_headers": list(VOLATILE_HEADERS),
            "interactions": [
                {
                    "old": pair.old,
                    "new": pair.new,
                    "method": pair.method,
                    "url": pair.url,
                    "status": list(pair.status),
                    "verdict": LEVELS[pair.level],
                    "changes": [
                        {"level": LEVELS[c.level], "what": c.what, "old": c.old, "new": c.new}
                        for c in pair.changes
                    ],
                }
                for pair in self.pairs
            ],
        }


def _same(old: Any, new: Any) -> bool:
    """Equal as JSON: `true` is not `1`, and `1.0` is not `1` (Python's == says they are)."""
    if old != new:
        return False
    return old is new or json.dumps(old, sort_keys=True, default=str) == json.dumps(
        new, sort_keys=True, default=str
    )


def _compare_values(what: str, old: Any, new: Any, level: int, changes: list[Change]) -> None:
    if not _same(old, new):
        changes.append(Change(level, what, old, new))


def _compare_calls(old: list[ToolCall], new: list[ToolCall], changes: list[Change]) -> None:
    names = ([call.name for call in old], [call.name for call in new])
    if names[0] != names[1]:
        changes.append(Change(SHAPE, "tool-call names", names[0], names[1]))
        return
    for index, (before, after) in enumerate(zip(old, new, strict=True)):
        where = f"tool call #{index} {before.name}"
        if isinstance(before.arguments, dict) and isinstance(after.arguments, dict):
            keys = (sorted(before.arguments), sorted(after.arguments))
            if keys[0] != keys[1]:
                changes.append(Change(SHAPE, f"{where} argument keys", keys[0], keys[1]))
                continue
            for key in keys[0]:
                _compare_values(
                    f"{where} argument {key}", before.arguments[key], after.arguments[key], CONTENT, changes
                )
        else:
            _compare_values(f"{where} arguments", before.arguments, after.arguments, CONTENT, changes)


def compare_responses(old: ResponseView, new: ResponseView) -> list[Change]:
    """The changes from `old` to `new`, most important first."""
    changes: list[Change] = []
    _compare_values("status", old.status, new.status, SHAPE, changes)
    _compare_values("content type", old.content_type, new.content_type, SHAPE, changes)
    _compare_values("stream ending", old.ending, new.ending, SHAPE, changes)
    if old.event_shape != new.event_shape:
        changes.append(Change(SHAPE, f"event types: {_sequence_change(old.event_shape, new.event_shape)}"))
    _compare_calls(old.tool_calls, new.tool_calls, changes)
    added = sorted(new.fields.keys() - old.fields.keys())
    removed = sorted(old.fields.keys() - new.fields.keys())
    if (added or removed) and old.event_shape == new.event_shape:
        changes.append(Change(SHAPE, "JSON fields", removed or None, added or None))
    _compare_values("text", old.text, new.text, CONTENT, changes)
    _compare_values("body", old.raw_text, new.raw_text, CONTENT, changes)
    if old.usage != new.usage:
        changes.append(Change(CONTENT, "usage", _usage_text(old.usage), _usage_text(new.usage)))
    for name in sorted(old.headers.keys() | new.headers.keys()):
        if name != "content-type":
            _compare_values(f"header {name}", old.headers.get(name), new.headers.get(name), CONTENT, changes)
    if old.event_shape == new.event_shape:
        for path in sorted(old.fields.keys() & new.fields.keys()):
            if path.endswith(("usage.prompt_tokens", "usage.completion_tokens", "usage.total_tokens")):
                continue  # reported as usage
            before, after = old.fields[path], new.fields[path]
            if (before, after) == (old.text, new.text):
                continue  # the whole answer again (a completed message): reported as text
            _compare_values(path, before, after, CONTENT, changes)
    volatile = sum(
        1
        for key in old.volatile.keys() | new.volatile.keys()
        if old.volatile.get(key) != new.volatile.get(key)
    )
    if volatile:
        changes.append(Change(SAME, f"volatile: {volatile} id/timestamp field{'s' if volatile != 1 else ''}"))
    if old.timing != new.timing:
        changes.append(Change(SAME, "timing"))
    return changes


def _sequence_change(old: list[str], new: list[str]) -> str:
    """Where two event type sequences differ: `#5 thread.message.delta → thread.run.failed`, `+#7 done`."""
    parts = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace":
            parts.append(f"#{i1 + 1} {' '.join(old[i1:i2])} → {' '.join(new[j1:j2])}")
        elif tag == "delete":
            parts.append(f"-#{i1 + 1} {' '.join(old[i1:i2])}")
        elif tag == "insert":
            parts.append(f"+#{i1 + 1} {' '.join(new[j1:j2])}")
    return "; ".join(parts)


def _usage_text(usage: Usage | None) -> str | None:
    if usage is None:
        return None
    return f"{usage.prompt} prompt + {usage.completion} completion"


def _mask_path(url: str) -> str:
    """The URL path with id-like segments (`thread_abc123…`) masked."""
    return "/".join("{id}" if _ID_SEGMENT.match(part) else part for part in urlsplit(url).path.split("/"))


def _masked_body(request: RecordedRequest) -> str:
    value = _parse(request.body.decode("utf-8", "replace")) if request.body else ""
    view = ResponseView(0, "", {})
    if isinstance(value, dict | list):
        _flatten(value, "", view)
        return json.dumps(sorted(view.fields.items(), key=lambda item: item[0]), default=str)
    return str(value)


def _pair(old: Cassette, new: Cassette) -> Iterator[tuple[int | None, int | None, bool]]:
    """(old position, new position, request changed) pairs: replay's matching, then looser keys."""
    index = CassetteIndex(old.interactions, make_key_function())
    pairs: dict[int, int | None] = {}
    for position, item in enumerate(new.interactions):
        found = index.take_request(item.request)
        pairs[position] = found[0] if found is not None else None
    taken = set(pairs.values())
    left = [p for p in range(len(old.interactions)) if p not in taken]
    changed: set[int] = set()

    def loose(key: Callable[[RecordedRequest], Hashable], mark: bool) -> None:
        queue: dict[Hashable, list[int]] = {}
        for position in left:
            queue.setdefault(key(old.interactions[position].request), []).append(position)
        for position, matched in pairs.items():
            if matched is None:
                candidates = queue.get(key(new.interactions[position].request))
                if candidates:
                    chosen = candidates.pop(0)
                    pairs[position] = chosen
                    left.remove(chosen)
                    if mark:
                        changed.add(position)

    loose(lambda r: (r.method.upper(), urlsplit(r.url).netloc, _mask_path(r.url), _masked_body(r)), False)
    loose(lambda r: (r.method.upper(), _mask_path(r.url)), True)
    for position, matched in pairs.items():
        yield matched, position, position in changed
    for position in left:
        yield position, None, False


def _where(item: Interaction) -> tuple[str, str]:
    split = urlsplit(item.request.url)
    return item.request.method, split.path + (f"?{split.query}" if split.query else "")


def diff_cassettes(old: Cassette, new: Cassette) -> CassetteDiff:
    """Pair the interactions of `old` and `new` as replay would and classify every difference."""
    pairs: list[PairDiff] = []
    for before, after, request_changed in _pair(old, new):
        if before is None:
            assert after is not None
            item = new.interactions[after]
            pair = PairDiff(None, after, *_where(item), (None, item.response.status))
            pair.changes.append(Change(SHAPE, "added"))
        elif after is None:
            item = old.interactions[before]
            pair = PairDiff(before, None, *_where(item), (item.response.status, None))
            pair.changes.append(Change(SHAPE, "removed"))
        else:
            first, second = old.interactions[before], new.interactions[after]
            pair = PairDiff(before, after, *_where(second), (first.response.status, second.response.status))
            if request_changed:
                pair.changes.append(_request_change(first.request, second.request))
            pair.changes += compare_responses(view_response(first.response), view_response(second.response))
        pairs.append(pair)
    return CassetteDiff(pairs)


def _request_change(old: RecordedRequest, new: RecordedRequest) -> Change:
    """How the request changed: its host, and the JSON paths added, removed and changed (ids left out)."""
    before, after = ResponseView(0, "", {}), ResponseView(0, "", {})
    for request, view in ((old, before), (new, after)):
        value = _parse(request.body.decode("utf-8", "replace")) if request.body else ""
        if isinstance(value, dict | list):
            _flatten(value, "", view)
        else:
            view.fields["(body)"] = value
    removed = sorted(before.fields.keys() - after.fields.keys())
    added = sorted(after.fields.keys() - before.fields.keys())
    changed = sorted(
        k for k in before.fields.keys() & after.fields.keys() if before.fields[k] != after.fields[k]
    )
    parts = [
        f"{word} {', '.join(paths)}"
        for word, paths in (("added", added), ("removed", removed), ("changed", changed))
        if paths
    ]
    hosts = urlsplit(old.url).netloc, urlsplit(new.url).netloc
    if hosts[0] != hosts[1]:
        parts.insert(0, f"host {hosts[0]} → {hosts[1]}")
    return Change(SHAPE, f"request changed, replay would not match it ({'; '.join(parts) or 'ids only'})")
