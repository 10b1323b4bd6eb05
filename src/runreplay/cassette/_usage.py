"""Token usage recorded in a cassette: what the replays of a suite did not spend.

Usage is read from run-level objects only (an Assistants run, a Responses API response, a chat
completion), never from run steps, which would count the same tokens twice. A run that appears in
several interactions (streamed, then polled, then finished after tool outputs) counts once, with the
last usage recorded for it: the API reports a run's usage as a running total.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from runreplay import sse
from runreplay.cassette.model import Cassette, RecordedResponse

__all__ = ["Usage", "cassette_usage", "response_usages", "usage_of"]

_RUN_OBJECTS = frozenset({"thread.run", "response", "chat.completion", "chat.completion.chunk"})


@dataclass(frozen=True, slots=True)
class Usage:
    """Prompt (input) and completion (output) tokens; `total` as recorded, else their sum."""

    prompt: int = 0
    completion: int = 0
    total: int = 0

    def __add__(self, other: Usage) -> Usage:
        """Both usages together."""
        return Usage(self.prompt + other.prompt, self.completion + other.completion, self.total + other.total)

    def __bool__(self) -> bool:
        """Whether any token was recorded."""
        return bool(self.prompt or self.completion or self.total)


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def usage_of(value: Any) -> tuple[str | None, Usage] | None:
    """(object id, usage) of a run-level JSON object (or of the response an event wraps), else None."""
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("response"), dict) and "usage" not in value:
        return usage_of(value["response"])  # Responses API events: {"type": ..., "response": {...}}
    usage = value.get("usage")
    if value.get("object") not in _RUN_OBJECTS or not isinstance(usage, dict):
        return None
    prompt = _count(usage.get("prompt_tokens", usage.get("input_tokens")))
    completion = _count(usage.get("completion_tokens", usage.get("output_tokens")))
    total = _count(usage.get("total_tokens")) or prompt + completion
    identifier = value.get("id")
    return (identifier if isinstance(identifier, str) else None), Usage(prompt, completion, total)


def _json_values(response: RecordedResponse) -> Iterator[Any]:
    """The JSON documents of a response: each SSE event's data, or the body."""
    if response.is_event_stream:
        decoder = sse.Decoder()
        events = [event for chunk in response.chunks for event in decoder.feed(chunk.data)]
        for event in events:
            if event.data[:1] == "{":
                try:
                    yield json.loads(event.data)
                except ValueError:
                    continue
        return
    body = response.body
    if body[:1] in (b"{", b" ", b"\n"):
        try:
            yield json.loads(body)
        except ValueError:
            return


def response_usages(response: RecordedResponse) -> list[tuple[str | None, Usage]]:
    """Every (run id, usage) the response records, in order."""
    return [found for value in _json_values(response) if (found := usage_of(value)) is not None]


def cassette_usage(cassette: Cassette, positions: Iterable[int] | None = None) -> Usage:
    """The usage recorded in the interactions at `positions` (default all), each run counted once."""
    chosen = range(len(cassette.interactions)) if positions is None else positions
    runs: dict[object, Usage] = {}
    for position in chosen:
        for number, (identifier, usage) in enumerate(
            response_usages(cassette.interactions[position].response)
        ):
            runs[identifier if identifier is not None else (position, number)] = usage
    total = Usage()
    for usage in runs.values():
        total = total + usage
    return total
