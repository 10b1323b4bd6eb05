"""Typed, tolerant models of the stream events of `POST /v1/threads/runs` with `stream: true`.

`parse_event(event, data)` turns one server-sent event (its `event:` name and its joined `data:`
lines) into a typed event object.

Tolerant on purpose, because real servers deviate from the spec:

* every field is optional: keys the spec calls required may be missing and read `None`
  (runs without `parallel_tool_calls`, steps without `metadata`, messages without `attachments`);
* unknown keys are kept (`extra="allow"`), such as `expires_at` on run steps or `tool_resources`
  on runs; the known deviations (`RunStepObject.expires_at`) are declared fields;
* enums are typed as `Literal[known values] | str`, so a new status or reason does not crash;
  nullable-in-practice fields (`RunObject.instructions`) accept null;
* a union member of an unknown `type` (a new content part, tool call or output) becomes an
  `UnknownObject` that keeps all its keys;
* an unknown event name gives an `UnknownEvent` with the raw data, never an error;
* nothing cross-checks the event name against the payload: `thread.run.completed` may carry
  `status: "incomplete"`, as a 2024 recording shows.

Still typed: the values that are present must have the documented JSON types (with pydantic's usual
lax conversions). Data that is not JSON, not a JSON object, or of the wrong type for a known event
raises `EventDataError` (a `RunreplayError` and a `ValueError`) that names the event and shows the
start of the data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal, cast, get_args

from pydantic import ValidationError

from runreplay._json_type import json_type
from runreplay.errors import RunreplayError
from runreplay.models import _stream_messages, _stream_objects
from runreplay.models._stream_messages import *  # noqa: F403  (re-exported: every message object)
from runreplay.models._stream_messages import (
    ErrorObject,
    MessageDeltaObject,
    MessageObject,
)
from runreplay.models._stream_objects import *  # noqa: F403  (re-exported: every run, step and thread object)
from runreplay.models._stream_objects import (
    RunObject,
    RunStepDeltaObject,
    RunStepObject,
    ThreadObject,
    Tolerant,
)

__all__ = [
    "EVENT_TYPES",
    "AssistantStreamEvent",
    "DoneEvent",
    "ErrorEvent",
    "EventDataError",
    "StreamEvent",
    "ThreadCreated",
    "ThreadMessageCompleted",
    "ThreadMessageCreated",
    "ThreadMessageDelta",
    "ThreadMessageInProgress",
    "ThreadMessageIncomplete",
    "ThreadRunCancelled",
    "ThreadRunCancelling",
    "ThreadRunCompleted",
    "ThreadRunCreated",
    "ThreadRunExpired",
    "ThreadRunFailed",
    "ThreadRunInProgress",
    "ThreadRunIncomplete",
    "ThreadRunQueued",
    "ThreadRunRequiresAction",
    "ThreadRunStepCancelled",
    "ThreadRunStepCompleted",
    "ThreadRunStepCreated",
    "ThreadRunStepDelta",
    "ThreadRunStepExpired",
    "ThreadRunStepFailed",
    "ThreadRunStepInProgress",
    "UnknownEvent",
    "parse_event",
]
__all__ += _stream_messages.__all__
__all__ += _stream_objects.__all__
for _building_block in ("Detail", "Tolerant", "type_tag"):  # importable here, not part of the API
    __all__.remove(_building_block)
__all__.sort(
    key=lambda name: (not name.isupper(), not name[:1].isupper(), name)
)  # constants, classes, functions


class EventDataError(RunreplayError, ValueError):
    """The data of a known stream event is not JSON, not an object, or has wrongly typed fields."""

    def __init__(self, event: str, data: str, problem: str) -> None:
        self.event = event
        self.data = data
        self.problem = problem
        snippet = data if len(data) <= 120 else data[:119] + "…"
        super().__init__(
            f"cannot parse the data of stream event {event!r}: {problem}. The data starts with "
            f"{snippet!r}; expected one JSON object as the spec describes for {event!r}. Check that "
            "the stream was decoded frame by frame (one event: line, data: lines joined with \\n)."
        )


# --- events -------------------------------------------------------------------------------------


class StreamEvent(Tolerant):
    """Base of every stream event: the SSE event name and its data."""

    event: str
    data: Any


class ThreadCreated(StreamEvent):
    """`thread.created`: the thread exists."""

    event: Literal["thread.created"] = "thread.created"
    data: ThreadObject


class ThreadRunCreated(StreamEvent):
    """`thread.run.created`: the run exists."""

    event: Literal["thread.run.created"] = "thread.run.created"
    data: RunObject


class ThreadRunQueued(StreamEvent):
    """`thread.run.queued`: the run waits to start."""

    event: Literal["thread.run.queued"] = "thread.run.queued"
    data: RunObject


class ThreadRunInProgress(StreamEvent):
    """`thread.run.in_progress`: the run started."""

    event: Literal["thread.run.in_progress"] = "thread.run.in_progress"
    data: RunObject


class ThreadRunRequiresAction(StreamEvent):
    """`thread.run.requires_action`: the run waits for tool outputs."""

    event: Literal["thread.run.requires_action"] = "thread.run.requires_action"
    data: RunObject


class ThreadRunCompleted(StreamEvent):
    """`thread.run.completed`: the run ended (check `data.status`: it may say incomplete)."""

    event: Literal["thread.run.completed"] = "thread.run.completed"
    data: RunObject


class ThreadRunIncomplete(StreamEvent):
    """`thread.run.incomplete`: the run ended early (see `data.incomplete_details`)."""

    event: Literal["thread.run.incomplete"] = "thread.run.incomplete"
    data: RunObject


class ThreadRunFailed(StreamEvent):
    """`thread.run.failed`: the run failed (see `data.last_error`)."""

    event: Literal["thread.run.failed"] = "thread.run.failed"
    data: RunObject


class ThreadRunCancelling(StreamEvent):
    """`thread.run.cancelling`: the run is being cancelled."""

    event: Literal["thread.run.cancelling"] = "thread.run.cancelling"
    data: RunObject


class ThreadRunCancelled(StreamEvent):
    """`thread.run.cancelled`: the run was cancelled."""

    event: Literal["thread.run.cancelled"] = "thread.run.cancelled"
    data: RunObject


class ThreadRunExpired(StreamEvent):
    """`thread.run.expired`: the run expired."""

    event: Literal["thread.run.expired"] = "thread.run.expired"
    data: RunObject


class ThreadRunStepCreated(StreamEvent):
    """`thread.run.step.created`: a run step exists."""

    event: Literal["thread.run.step.created"] = "thread.run.step.created"
    data: RunStepObject


class ThreadRunStepInProgress(StreamEvent):
    """`thread.run.step.in_progress`: a run step started."""

    event: Literal["thread.run.step.in_progress"] = "thread.run.step.in_progress"
    data: RunStepObject


class ThreadRunStepDelta(StreamEvent):
    """`thread.run.step.delta`: part of a run step changed."""

    event: Literal["thread.run.step.delta"] = "thread.run.step.delta"
    data: RunStepDeltaObject


class ThreadRunStepCompleted(StreamEvent):
    """`thread.run.step.completed`: a run step ended."""

    event: Literal["thread.run.step.completed"] = "thread.run.step.completed"
    data: RunStepObject


class ThreadRunStepFailed(StreamEvent):
    """`thread.run.step.failed`: a run step failed."""

    event: Literal["thread.run.step.failed"] = "thread.run.step.failed"
    data: RunStepObject


class ThreadRunStepCancelled(StreamEvent):
    """`thread.run.step.cancelled`: a run step was cancelled."""

    event: Literal["thread.run.step.cancelled"] = "thread.run.step.cancelled"
    data: RunStepObject


class ThreadRunStepExpired(StreamEvent):
    """`thread.run.step.expired`: a run step expired."""

    event: Literal["thread.run.step.expired"] = "thread.run.step.expired"
    data: RunStepObject


class ThreadMessageCreated(StreamEvent):
    """`thread.message.created`: a message exists."""

    event: Literal["thread.message.created"] = "thread.message.created"
    data: MessageObject


class ThreadMessageInProgress(StreamEvent):
    """`thread.message.in_progress`: a message is being written."""

    event: Literal["thread.message.in_progress"] = "thread.message.in_progress"
    data: MessageObject


class ThreadMessageDelta(StreamEvent):
    """`thread.message.delta`: part of a message changed."""

    event: Literal["thread.message.delta"] = "thread.message.delta"
    data: MessageDeltaObject


class ThreadMessageCompleted(StreamEvent):
    """`thread.message.completed`: a message is finished."""

    event: Literal["thread.message.completed"] = "thread.message.completed"
    data: MessageObject


class ThreadMessageIncomplete(StreamEvent):
    """`thread.message.incomplete`: a message ended early."""

    event: Literal["thread.message.incomplete"] = "thread.message.incomplete"
    data: MessageObject


class ErrorEvent(StreamEvent):
    """`error`: the server reports an error inside the stream."""

    event: Literal["error"] = "error"
    data: ErrorObject


class DoneEvent(StreamEvent):
    """`done`: the stream ends; data is normally `[DONE]` (kept as received)."""

    event: Literal["done"] = "done"
    data: str = "[DONE]"


class UnknownEvent(StreamEvent):
    """An event this version does not know: its name, raw data and, if the data is JSON, its value."""

    event: str
    data: str
    payload: Any = None


AssistantStreamEvent = (
    ThreadCreated
    | ThreadRunCreated
    | ThreadRunQueued
    | ThreadRunInProgress
    | ThreadRunRequiresAction
    | ThreadRunCompleted
    | ThreadRunIncomplete
    | ThreadRunFailed
    | ThreadRunCancelling
    | ThreadRunCancelled
    | ThreadRunExpired
    | ThreadRunStepCreated
    | ThreadRunStepInProgress
    | ThreadRunStepDelta
    | ThreadRunStepCompleted
    | ThreadRunStepFailed
    | ThreadRunStepCancelled
    | ThreadRunStepExpired
    | ThreadMessageCreated
    | ThreadMessageInProgress
    | ThreadMessageDelta
    | ThreadMessageCompleted
    | ThreadMessageIncomplete
    | ErrorEvent
    | DoneEvent
    | UnknownEvent
)
"""Whatever `parse_event` returns."""

EVENT_TYPES: Mapping[str, type[StreamEvent]] = MappingProxyType(
    {
        cls.model_fields["event"].default: cls
        for cls in get_args(AssistantStreamEvent)
        if cls is not UnknownEvent
    }
)
"""The event class for every event name the spec documents: 23 `thread.*` events, `error` and `done`."""


def parse_event(event: str, data: str) -> AssistantStreamEvent:
    """One SSE frame (event name, joined data lines) as a typed event; unknown names never fail.

    Raises EventDataError when a known event's data is not a JSON object of the documented types.
    An `error` event whose data wraps the error as `{"error": {...}}` is unwrapped.
    """
    if event == "done":
        return DoneEvent(data=data)
    cls = EVENT_TYPES.get(event)
    if cls is None:
        try:
            payload = json.loads(data)
        except ValueError:
            payload = None
        return UnknownEvent(event=event, data=data, payload=payload)
    try:
        payload = json.loads(data)
    except ValueError as exc:
        raise EventDataError(event, data, f"the data is not valid JSON ({exc})") from exc
    if not isinstance(payload, dict):
        raise EventDataError(
            event, data, f"the data is a JSON {json_type(payload, article=False)}, not an object"
        )
    if event == "error" and isinstance(payload.get("error"), dict) and "message" not in payload:
        payload = payload["error"]
    try:
        parsed = cls.model_validate({"event": event, "data": payload})
    except ValidationError as exc:
        problems = "; ".join(
            f"data.{'.'.join(str(part) for part in detail['loc'][1:])}: {detail['msg']}"
            for detail in exc.errors()[:5]
        )
        raise EventDataError(event, data, f"some fields have the wrong type ({problems})") from exc
    return cast("AssistantStreamEvent", parsed)
