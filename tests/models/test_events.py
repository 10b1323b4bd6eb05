"""The stream event models: the reference transcripts, real-server deviations, unknown events, bad data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runreplay.errors import RunreplayError
from runreplay.models import (
    EVENT_TYPES,
    DoneEvent,
    ErrorEvent,
    EventDataError,
    RunObject,
    ThreadCreated,
    ThreadMessageCompleted,
    ThreadMessageCreated,
    ThreadMessageDelta,
    ThreadRunCompleted,
    ThreadRunCreated,
    ThreadRunInProgress,
    ThreadRunRequiresAction,
    ThreadRunStepCompleted,
    ThreadRunStepCreated,
    ThreadRunStepDelta,
    UnknownEvent,
    UnknownObject,
    parse_event,
)
from runreplay.models.events import (
    FunctionToolCallDelta,
    MessageCreationStepDetails,
    TextContentBlock,
    TextDeltaBlock,
    ToolCallsStepDetails,
    ToolCallsStepDetailsDelta,
)

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"
EXAMPLES = REFERENCE / "examples"


def frames(text: str) -> list[tuple[str, str]]:
    """A deliberately tiny SSE splitter for LF-only files: (event name, joined data) per frame."""
    found = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        event, data = "message", []
        for line in block.split("\n"):
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)
        found.append((event, "\n".join(data)))
    return found


def transcript(name: str) -> list[Any]:
    return [parse_event(event, data) for event, data in frames((EXAMPLES / name).read_text(encoding="utf-8"))]


def run_data(**changes: Any) -> dict[str, Any]:
    """The data of the text transcript's last run event, changed."""
    last = frames((EXAMPLES / "create_thread_and_run_stream_text.sse").read_text(encoding="utf-8"))[-2]
    data: dict[str, Any] = json.loads(last[1])
    data.update(changes)
    return {key: value for key, value in data.items() if value is not ...}


# --- the reference transcripts --------------------------------------------------------------------


def test_text_transcript() -> None:
    events = transcript("create_thread_and_run_stream_text.sse")
    assert [event.event for event in events][:4] == [
        "thread.created",
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
    ]
    assert len(events) == 26
    assert all(type(event) is EVENT_TYPES[event.event] for event in events)
    assert isinstance(events[0], ThreadCreated)
    assert events[0].data.id == "thread_QX020VORWniVvAp3rJDMsLpu"

    deltas = [event for event in events if isinstance(event, ThreadMessageDelta)]
    assert len(deltas) == 14
    text = ""
    for delta in deltas:
        assert delta.data.delta is not None
        assert delta.data.delta.content is not None
        (block,) = delta.data.delta.content
        assert isinstance(block, TextDeltaBlock)
        assert block.text is not None
        text += block.text.value or ""
    assert text == "The capital of France is Paris, in the Île-de-France region."

    completed = next(event for event in events if isinstance(event, ThreadMessageCompleted))
    assert completed.data.content is not None
    (part,) = completed.data.content
    assert isinstance(part, TextContentBlock)
    assert part.text is not None
    assert part.text.value == text
    assert part.text.annotations == []
    assert completed.data.attachments == []

    step = next(event for event in events if isinstance(event, ThreadRunStepCreated))
    assert isinstance(step.data.step_details, MessageCreationStepDetails)

    run = events[-2]
    assert isinstance(run, ThreadRunCompleted)
    assert run.data.status == "completed"
    assert run.data.usage is not None
    assert (run.data.usage.prompt_tokens, run.data.usage.completion_tokens, run.data.usage.total_tokens) == (
        41,
        15,
        56,
    )
    assert run.data.response_format == "auto"
    assert run.data.truncation_strategy is not None
    assert run.data.truncation_strategy.type == "auto"
    assert run.data.tool_resources is not None

    assert isinstance(events[-1], DoneEvent)
    assert events[-1].data == "[DONE]"


def test_tool_call_transcript() -> None:
    events = transcript("create_thread_and_run_stream_tool_call.sse")
    assert len(events) == 22
    created = next(event for event in events if isinstance(event, ThreadRunStepCreated))
    assert isinstance(created.data.step_details, ToolCallsStepDetails)
    assert created.data.step_details.tool_calls == []

    arguments = ""
    names = []
    for event in events:
        if isinstance(event, ThreadRunStepDelta):
            assert event.data.delta is not None
            details = event.data.delta.step_details
            assert isinstance(details, ToolCallsStepDetailsDelta)
            assert details.tool_calls is not None
            (call,) = details.tool_calls
            assert isinstance(call, FunctionToolCallDelta)
            assert call.function is not None
            assert call.index == 0
            arguments += call.function.arguments or ""
            names.append(call.function.name)
    assert names[0] == "get_current_weather"
    assert set(names[1:]) == {None}

    action = events[-2]
    assert isinstance(action, ThreadRunRequiresAction)
    assert action.data.status == "requires_action"
    assert action.data.required_action is not None
    assert action.data.required_action.submit_tool_outputs is not None
    (required,) = action.data.required_action.submit_tool_outputs.tool_calls or []
    assert required.id == "call_Wk5YdukI0DQROz8BbEPiRW0T"
    assert required.function is not None
    assert required.function.name == "get_current_weather"
    assert required.function.arguments == arguments
    assert json.loads(arguments) == {"location": "San Francisco, CA", "unit": "fahrenheit"}
    assert isinstance(events[-1], DoneEvent)


def test_every_documented_event_name_has_a_class() -> None:
    schema = json.loads((REFERENCE / "assistant_stream_events.schema.json").read_text())
    names = {"error", "done"}
    for group in ("ThreadStreamEvent", "RunStreamEvent", "RunStepStreamEvent", "MessageStreamEvent"):
        names |= {branch["properties"]["event"]["enum"][0] for branch in schema["$defs"][group]["oneOf"]}
    assert set(EVENT_TYPES) == names
    assert len(names) == 25


# --- tolerance for what real servers send (research §2.6, §2.7) -----------------------------------


def test_run_step_with_expires_at_and_no_metadata() -> None:
    data = {
        "id": "step_1",
        "object": "thread.run.step",
        "created_at": 1714000000,
        "run_id": "run_1",
        "assistant_id": "asst_1",
        "thread_id": "thread_1",
        "type": "message_creation",
        "status": "completed",
        "cancelled_at": None,
        "completed_at": 1714000001,
        "expires_at": 1714000600,
        "failed_at": None,
        "last_error": None,
        "step_details": {"type": "message_creation", "message_creation": {"message_id": "msg_1"}},
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    }
    event = parse_event("thread.run.step.completed", json.dumps(data))
    assert isinstance(event, ThreadRunStepCompleted)
    assert event.data.expires_at == 1714000600
    assert event.data.expired_at is None
    assert event.data.metadata is None


def test_run_with_null_instructions_and_missing_keys() -> None:
    data = run_data(instructions=None, parallel_tool_calls=..., metadata=..., tool_resources=...)
    event = parse_event("thread.run.created", json.dumps(data))
    assert isinstance(event, ThreadRunCreated)
    assert isinstance(event.data, RunObject)
    assert event.data.instructions is None
    assert event.data.parallel_tool_calls is None
    assert event.data.metadata is None


def test_completed_event_may_carry_an_incomplete_run() -> None:
    data = run_data(status="incomplete", incomplete_details={"reason": "max_prompt_tokens"})
    event = parse_event("thread.run.completed", json.dumps(data))
    assert isinstance(event, ThreadRunCompleted)
    assert event.data.status == "incomplete"
    assert event.data.incomplete_details is not None
    assert event.data.incomplete_details.reason == "max_prompt_tokens"


def test_thread_and_message_without_required_keys() -> None:
    thread = parse_event("thread.created", '{"id":"thread_1","object":"thread","created_at":1,"metadata":{}}')
    assert isinstance(thread, ThreadCreated)
    assert thread.data.tool_resources is None
    message = parse_event(
        "thread.message.created",
        '{"id":"msg_1","object":"thread.message","created_at":1,"thread_id":"t","status":"in_progress",'
        '"role":"assistant","content":[],"file_ids":[]}',
    )
    assert isinstance(message, ThreadMessageCreated)
    assert message.data.attachments is None
    assert message.data.model_extra == {"file_ids": []}


def test_unknown_values_and_members_do_not_crash() -> None:
    data = run_data(status="paused", brand_new_field={"x": 1}, tools=[{"type": "web_search", "depth": 2}])
    event = parse_event("thread.run.in_progress", json.dumps(data))
    assert isinstance(event, ThreadRunInProgress)
    assert event.data.status == "paused"
    assert event.data.model_extra == {"brand_new_field": {"x": 1}}
    assert event.data.tools is not None
    assert event.data.tools[0].type == "web_search"
    message = parse_event(
        "thread.message.delta",
        '{"id":"msg_1","object":"thread.message.delta","delta":{"content":[{"index":0,"type":"audio","audio":{"id":"a"}}]}}',
    )
    assert isinstance(message, ThreadMessageDelta)
    assert message.data.delta is not None
    assert message.data.delta.content is not None
    (part,) = message.data.delta.content
    assert isinstance(part, UnknownObject)
    assert part.type == "audio"
    assert part.model_extra == {"index": 0, "audio": {"id": "a"}}


def test_unknown_event_names() -> None:
    event = parse_event("thread.run.step.brand_new", '{"id": "x"}')
    assert isinstance(event, UnknownEvent)
    assert (event.event, event.data, event.payload) == (
        "thread.run.step.brand_new",
        '{"id": "x"}',
        {"id": "x"},
    )
    ping = parse_event("ping", "")
    assert isinstance(ping, UnknownEvent)
    assert ping.payload is None
    message = parse_event("message", "not json")
    assert isinstance(message, UnknownEvent)
    assert (message.data, message.payload) == ("not json", None)


def test_done() -> None:
    assert parse_event("done", "[DONE]") == DoneEvent(event="done", data="[DONE]")
    assert parse_event("done", "").data == ""


def test_error_event_bare_and_wrapped() -> None:
    bare = parse_event(
        "error",
        '{"code":"server_error","message":"Sorry, something went wrong.","param":null,"type":"server_error"}',
    )
    assert isinstance(bare, ErrorEvent)
    assert (bare.data.code, bare.data.message, bare.data.param) == (
        "server_error",
        "Sorry, something went wrong.",
        None,
    )
    wrapped = parse_event("error", '{"error":{"message":"Rate limited.","type":"rate_limit_error"}}')
    assert isinstance(wrapped, ErrorEvent)
    assert (wrapped.data.message, wrapped.data.type) == ("Rate limited.", "rate_limit_error")


# --- data that cannot be read -----------------------------------------------------------------------


def test_invalid_json_raises_a_clear_error() -> None:
    data = '{"id":"run_1","object":"thread.run"}}'
    with pytest.raises(EventDataError) as caught:
        parse_event("thread.run.completed", data)
    error = caught.value
    assert isinstance(error, RunreplayError)
    assert isinstance(error, ValueError)
    assert (error.event, error.data) == ("thread.run.completed", data)
    assert str(error) == (
        "cannot parse the data of stream event 'thread.run.completed': the data is not valid JSON "
        "(Extra data: line 1 column 37 (char 36)). The data starts with "
        '\'{"id":"run_1","object":"thread.run"}}\'; expected one JSON object as the spec describes for '
        "'thread.run.completed'. Check that the stream was decoded frame by frame (one event: line, "
        "data: lines joined with \\n)."
    )


def test_long_data_is_cut_in_the_message() -> None:
    with pytest.raises(EventDataError) as caught:
        parse_event("thread.created", "x" * 500)
    assert "'" + "x" * 119 + "…'" in str(caught.value)


def test_non_object_data() -> None:
    with pytest.raises(EventDataError) as caught:
        parse_event("thread.message.delta", "[1, 2]")
    assert caught.value.problem == "the data is a JSON array, not an object"
    with pytest.raises(EventDataError) as caught:
        parse_event("error", "null")
    assert caught.value.problem == "the data is a JSON null, not an object"


def test_wrong_types_of_known_fields() -> None:
    with pytest.raises(EventDataError) as caught:
        parse_event("thread.run.created", '{"id": 5, "created_at": "soon"}')
    assert caught.value.problem == (
        "some fields have the wrong type (data.id: Input should be a valid string; "
        "data.created_at: Input should be a valid integer, unable to parse string as an integer)"
    )
    assert caught.value.__cause__ is not None
