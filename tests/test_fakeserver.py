"""The embedded Assistants server, exercised over real sockets with the real `openai` SDK and raw clients."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import httpx2
import jsonschema  # type: ignore[import-untyped]
import openai
import pydantic
import pytest
import requests
from openai import AssistantEventHandler, AsyncAssistantEventHandler
from openai.types.beta import AssistantStreamEvent, FunctionToolParam
from openai.types.beta.assistant_stream_event import (
    ThreadCreated,
    ThreadMessageCompleted,
    ThreadMessageDelta,
    ThreadRunCompleted,
    ThreadRunRequiresAction,
    ThreadRunStepDelta,
)
from openai.types.beta.thread_create_and_run_params import Thread
from openai.types.beta.threads import Message, Text, TextContentBlock, TextDelta, TextDeltaBlock
from openai.types.beta.threads.runs import (
    FunctionToolCall,
    FunctionToolCallDelta,
    ToolCall,
    ToolCallDelta,
    ToolCallDeltaObject,
)

from runreplay.errors import ConfigurationError
from runreplay.fakeserver import FakeAssistantsServer
from runreplay.models import CreateThreadAndRunRequest

pytestmark = pytest.mark.filterwarnings("ignore:The Assistants API is deprecated:DeprecationWarning")

REFERENCE = Path(__file__).resolve().parent / "data" / "reference"
QUESTION = "Which French region is Paris in?"
THREAD: Thread = {"messages": [{"role": "user", "content": QUESTION}]}
WEATHER_TOOL: FunctionToolParam = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Get the current weather in a given location",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city, e.g. Zürich"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location"],
        },
    },
}
TEXT_EVENTS = [
    "thread.created",
    "thread.run.created",
    "thread.run.queued",
    "thread.run.in_progress",
    "thread.run.step.created",
    "thread.run.step.in_progress",
    "thread.message.created",
    "thread.message.in_progress",
    "thread.message.delta",
    "thread.message.completed",
    "thread.run.step.completed",
    "thread.run.completed",
]
TOOL_EVENTS = [
    "thread.created",
    "thread.run.created",
    "thread.run.queued",
    "thread.run.in_progress",
    "thread.run.step.created",
    "thread.run.step.in_progress",
    "thread.run.step.delta",
    "thread.run.requires_action",
]
SUBMIT_EVENTS = [
    "thread.run.step.completed",
    "thread.run.queued",
    "thread.run.in_progress",
    "thread.run.step.created",
    "thread.run.step.in_progress",
    "thread.message.created",
    "thread.message.in_progress",
    "thread.message.delta",
    "thread.message.completed",
    "thread.run.step.completed",
    "thread.run.completed",
]
STREAM_BODY = {"assistant_id": "asst_test", "thread": THREAD, "stream": True}


def collapse(names: Sequence[str]) -> list[str]:
    """Event names with runs of repeated deltas collapsed to one, for order assertions."""
    return [name for i, name in enumerate(names) if i == 0 or name != names[i - 1]]


def delta_text(events: Iterable[AssistantStreamEvent]) -> str:
    """The text of every message delta in a stream, joined."""
    return "".join(
        block.text.value or ""
        for event in events
        if isinstance(event, ThreadMessageDelta)
        for block in event.data.delta.content or []
        if isinstance(block, TextDeltaBlock) and block.text is not None
    )


def message_text(message: Message) -> str:
    """The text of a message's first content block."""
    block = message.content[0]
    assert isinstance(block, TextContentBlock)
    return block.text.value


def frames_of(body: bytes) -> list[bytes]:
    """A stream body cut at its SSE event boundaries."""
    return [frame + b"\n\n" for frame in body.split(b"\n\n")[:-1]]


@pytest.fixture
def server() -> Iterator[FakeAssistantsServer]:
    with FakeAssistantsServer(seed=0) as srv:
        yield srv
    assert srv.errors == []  # no handler crashed behind a 500


@pytest.fixture
def client(server: FakeAssistantsServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0) as sdk:
        yield sdk


def stream_raw(server: FakeAssistantsServer, body: dict[str, Any] = STREAM_BODY) -> list[bytes]:
    """POST a streamed create-thread-and-run with httpx2 and return the raw HTTP chunks as received."""
    with (
        httpx2.Client(timeout=10) as http,
        http.stream("POST", f"{server.base_url}/threads/runs", json=body) as r,
    ):
        assert r.status_code == 200
        return list(r.iter_raw())


# -- the openai SDK ------------------------------------------------------------------------------


def test_sdk_stream_yields_the_real_event_order_and_the_joined_deltas_are_the_message(
    server: FakeAssistantsServer, client: openai.OpenAI
) -> None:
    stream = client.beta.threads.create_and_run(assistant_id="asst_test", thread=THREAD, stream=True)
    assert stream.response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert stream.response.headers["transfer-encoding"] == "chunked"
    events = list(stream)
    names = [event.event for event in events]
    assert collapse(names) == TEXT_EVENTS
    assert names.count("thread.message.delta") >= 5
    text = delta_text(events)
    completed = events[names.index("thread.message.completed")]
    assert isinstance(completed, ThreadMessageCompleted)
    assert text == message_text(completed.data)
    assert QUESTION in text
    assert not text.isascii()
    last = events[-1]
    assert isinstance(last, ThreadRunCompleted)
    assert last.data.status == "completed"
    assert last.data.usage is not None
    assert last.data.usage.completion_tokens == names.count("thread.message.delta")
    first = events[0]
    assert isinstance(first, ThreadCreated)
    assert re.fullmatch(r"thread_[A-Za-z0-9]{24}", first.data.id)
    assert all(getattr(e.data, "thread_id", first.data.id) == first.data.id for e in events)


def test_async_sdk_streams_the_same_events_as_the_sync_sdk(server: FakeAssistantsServer) -> None:
    async def main() -> tuple[list[str], str]:
        async with openai.AsyncOpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0) as sdk:
            stream = await sdk.beta.threads.create_and_run(
                assistant_id="asst_test", thread=THREAD, stream=True
            )
            names: list[str] = [event.event async for event in stream]
            async with sdk.beta.threads.create_and_run_stream(
                assistant_id="asst_test", thread=THREAD, event_handler=AsyncTextCollector()
            ) as async_handler:
                await async_handler.until_done()
                messages = await async_handler.get_final_messages()
            return names, message_text(messages[0])

    names, text = asyncio.run(main())
    assert collapse(names) == TEXT_EVENTS
    assert QUESTION in text


class TextCollector(AssistantEventHandler):
    """Collects text deltas and tool-call callbacks, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.deltas: list[str] = []
        self.calls: list[tuple[str, Any]] = []

    def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
        self.deltas.append(delta.value or "")

    def on_tool_call_created(self, tool_call: ToolCall) -> None:
        assert isinstance(tool_call, FunctionToolCall)
        self.calls.append(("created", tool_call.function.arguments))

    def on_tool_call_delta(self, delta: ToolCallDelta, snapshot: ToolCall) -> None:
        assert isinstance(delta, FunctionToolCallDelta)
        assert delta.function is not None
        self.calls.append(("delta", delta.function.arguments))

    def on_tool_call_done(self, tool_call: ToolCall) -> None:
        assert isinstance(tool_call, FunctionToolCall)
        self.calls.append(("done", tool_call.function.arguments))


class AsyncTextCollector(AsyncAssistantEventHandler):
    """The async handler, with the default callbacks."""


def test_sdk_stream_helper_delivers_text_deltas_to_an_event_handler(client: openai.OpenAI) -> None:
    with client.beta.threads.create_and_run_stream(
        assistant_id="asst_test", thread=THREAD, event_handler=TextCollector()
    ) as handler:
        handler.until_done()
        collector = handler
    assert isinstance(collector, TextCollector)
    final_text = message_text(collector.get_final_messages()[0])
    assert "".join(collector.deltas) == final_text
    assert len(collector.deltas) >= 5
    assert collector.get_final_run().status == "completed"


def test_function_tool_requires_action_then_submit_tool_outputs_stream(
    server: FakeAssistantsServer, client: openai.OpenAI
) -> None:
    with client.beta.threads.create_and_run_stream(
        assistant_id="asst_test", thread=THREAD, tools=[WEATHER_TOOL], event_handler=TextCollector()
    ) as handler:
        handler.until_done()
        first = handler
    run = first.get_final_run()
    assert run.status == "requires_action"
    assert run.required_action is not None
    (call,) = run.required_action.submit_tool_outputs.tool_calls
    assert re.fullmatch(r"call_[A-Za-z0-9]{24}", call.id)
    assert call.function.name == "get_current_weather"
    arguments = json.loads(call.function.arguments)
    assert set(arguments) == {"location", "unit"}
    assert arguments["unit"] in {"celsius", "fahrenheit"}
    assert isinstance(first, TextCollector)
    assert first.calls[0] == ("created", "")
    assert "".join(str(args) for kind, args in first.calls if kind == "delta") == call.function.arguments
    assert first.calls[-1] == ("done", call.function.arguments)

    with client.beta.threads.runs.submit_tool_outputs_stream(
        thread_id=run.thread_id,
        run_id=run.id,
        tool_outputs=[{"tool_call_id": call.id, "output": "22 °C, ciel dégagé"}],
        event_handler=TextCollector(),
    ) as second:
        events = [event.event for event in second]
        final_run = second.get_final_run()
        text = message_text(second.get_final_messages()[0])
    assert collapse(events) == SUBMIT_EVENTS
    assert "22 °C, ciel dégagé" in text
    assert final_run.status == "completed"
    assert final_run.required_action is None
    submitted = server.requests[-1]
    assert submitted.path == f"/v1/threads/{run.thread_id}/runs/{run.id}/submit_tool_outputs"
    assert submitted.body == {
        "tool_outputs": [{"tool_call_id": call.id, "output": "22 °C, ciel dégagé"}],
        "stream": True,
    }


def test_raw_tool_stream_names_the_function_first_then_streams_argument_fragments(
    client: openai.OpenAI,
) -> None:
    events = list(
        client.beta.threads.create_and_run(
            assistant_id="asst_test", thread=THREAD, tools=[WEATHER_TOOL], stream=True
        )
    )
    assert collapse([event.event for event in events]) == TOOL_EVENTS
    deltas = [
        call
        for event in events
        if isinstance(event, ThreadRunStepDelta)
        and isinstance(event.data.delta.step_details, ToolCallDeltaObject)
        for call in event.data.delta.step_details.tool_calls or []
        if isinstance(call, FunctionToolCallDelta) and call.function is not None
    ]
    assert len(deltas) >= 5
    assert deltas[0].function is not None
    assert deltas[0].function.model_dump() == {"name": "get_current_weather", "arguments": "", "output": None}
    assert deltas[0].id is not None
    assert all(delta.id is None and delta.function and delta.function.name is None for delta in deltas[1:])
    joined = "".join((delta.function.arguments or "") if delta.function else "" for delta in deltas)
    last = events[-1]
    assert isinstance(last, ThreadRunRequiresAction)
    assert last.data.required_action is not None
    required = last.data.required_action.submit_tool_outputs.tool_calls[0]
    assert joined == required.function.arguments
    assert required.id == deltas[0].id


@pytest.mark.parametrize(
    "parameters",
    [
        {},
        {"type": "object", "properties": {}},
        {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "days": {"type": "integer", "minimum": 1, "maximum": 5},
                "ratio": {"type": "number", "minimum": 0, "maximum": 1},
                "metric": {"type": "boolean"},
                "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
                "when": {"anyOf": [{"type": "string", "enum": ["today", "tomorrow"]}, {"type": "null"}]},
                "nested": {"type": "object", "properties": {"kind": {"const": "exact"}}},
                "maybe": {"type": ["null", "integer"], "minimum": 10, "maximum": 10},
            },
            "required": ["city", "days"],
        },
    ],
)
def test_tool_arguments_fit_the_function_parameters(
    server: FakeAssistantsServer, parameters: dict[str, Any]
) -> None:
    tool = {"type": "function", "function": {"name": "lookup", "parameters": parameters}}
    body = {"assistant_id": "asst_test", "thread": THREAD, "tools": [tool]}
    run = httpx.post(f"{server.base_url}/threads/runs", json=body).json()
    url = f"{server.base_url}/threads/{run['thread_id']}/runs/{run['id']}"
    assert httpx.get(url).json()["status"] == "in_progress"
    waiting = httpx.get(url).json()
    assert waiting["status"] == "requires_action"
    (call,) = waiting["required_action"]["submit_tool_outputs"]["tool_calls"]
    arguments = json.loads(call["function"]["arguments"])
    assert isinstance(arguments, dict)
    jsonschema.validate(arguments, parameters or {"type": "object"})
    assert set(arguments) == set(parameters.get("properties", {}))


def test_tool_choice_none_answers_in_text(client: openai.OpenAI) -> None:
    events = client.beta.threads.create_and_run(
        assistant_id="asst_test", thread=THREAD, tools=[WEATHER_TOOL], tool_choice="none", stream=True
    )
    assert collapse([event.event for event in events]) == TEXT_EVENTS


def test_create_and_run_poll_completes_within_a_fraction_of_a_second(
    server: FakeAssistantsServer, client: openai.OpenAI
) -> None:
    started = time.monotonic()
    run = client.beta.threads.create_and_run_poll(assistant_id="asst_test", thread=THREAD)
    elapsed = time.monotonic() - started
    assert run.status == "completed"
    assert elapsed < 1.0
    gets = [r for r in server.requests if r.method == "GET"]
    assert len(gets) == 2  # one in_progress, one completed (poll_steps=1)
    assert gets[0].headers["x-stainless-poll-helper"] == "true"
    messages = client.beta.threads.messages.list(thread_id=run.thread_id)
    assert [m.role for m in messages.data] == ["assistant", "user"]
    assert message_text(messages.data[1]) == QUESTION
    assert QUESTION in message_text(messages.data[0])
    assert messages.data[0].run_id == run.id
    steps = client.beta.threads.runs.steps.list(thread_id=run.thread_id, run_id=run.id)
    assert [step.type for step in steps.data] == ["message_creation"]


def test_polled_tool_flow_asks_for_outputs_then_completes(client: openai.OpenAI) -> None:
    run = client.beta.threads.create_and_run_poll(
        assistant_id="asst_test", thread=THREAD, tools=[WEATHER_TOOL]
    )
    assert run.status == "requires_action"
    assert run.required_action is not None
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    done = client.beta.threads.runs.submit_tool_outputs_and_poll(
        thread_id=run.thread_id, run_id=run.id, tool_outputs=[{"tool_call_id": call.id, "output": "sunny"}]
    )
    assert done.status == "completed"
    assert done.usage is not None
    latest = client.beta.threads.messages.list(thread_id=run.thread_id, limit=1).data[0]
    assert message_text(latest) == "Voilà — according to get_current_weather: sunny Anything else? 🙂"


def test_non_streamed_create_returns_the_queued_run_with_realistic_headers(client: openai.OpenAI) -> None:
    response = client.beta.threads.with_raw_response.create_and_run(assistant_id="asst_test", thread=THREAD)
    run = response.parse()
    assert run.status == "queued"
    assert run.assistant_id == "asst_test"
    assert run.model == "gpt-4o"
    headers = response.headers
    assert headers["content-type"] == "application/json"
    assert re.fullmatch(r"req_[0-9a-f]{32}", headers["x-request-id"])
    assert response.request_id == headers["x-request-id"]
    assert headers["openai-version"] == "2020-10-01"
    assert headers["openai-processing-ms"].isdigit()
    assert re.fullmatch(r"org-[A-Za-z0-9]{24}", headers["openai-organization"])
    cookies = headers.get_list("set-cookie")
    assert cookies[0].startswith("__cf_bm=")
    assert cookies[0].endswith("; path=/; HttpOnly")
    assert headers["date"] == "Thu, 01 Jan 2026 00:00:00 GMT"


def test_realistic_headers_can_be_switched_off() -> None:
    with FakeAssistantsServer(realistic_headers=False) as srv:
        response = httpx.post(f"{srv.base_url}/threads/runs", json={"assistant_id": "asst_test"})
    assert response.status_code == 200
    assert "openai-organization" not in response.headers
    assert "set-cookie" not in response.headers
    assert "x-request-id" in response.headers


# -- errors --------------------------------------------------------------------------------------


def test_a_body_that_fails_the_basic_checks_raises_bad_request_with_the_api_message(
    client: openai.OpenAI,
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.threads.create_and_run(assistant_id="asst_test", extra_body={"thread": "not an object"})
    message = "Invalid type for 'thread': expected an object, but got a string instead."
    assert str(caught.value) == f"Error code: 400 - {message}"
    assert caught.value.body == {
        "message": message,
        "type": "invalid_request_error",
        "param": "thread",
        "code": None,
    }
    assert caught.value.response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("content", "message", "param"),
    [
        (
            b"{not json",
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using "
            "your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not "
            "valid JSON.)",
            None,
        ),
        (b"{}", "Missing required parameter: 'assistant_id'.", "assistant_id"),
        (b"[]", "Invalid type for body: expected an object, but got an array instead.", None),
    ],
)
def test_malformed_bodies_get_the_api_error_envelope(
    server: FakeAssistantsServer, content: bytes, message: str, param: str | None
) -> None:
    response = httpx.post(f"{server.base_url}/threads/runs", content=content)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "error": {"message": message, "type": "invalid_request_error", "param": param, "code": None}
    }


@pytest.mark.parametrize(
    ("overrides", "param"),
    [
        ({"temperature": 3}, "temperature"),
        ({"thread": {"messages": [{"role": "system", "content": "x"}]}}, "thread.messages[0].role"),
        ({"tools": [{"type": "function", "function": {"name": "bad name!"}}]}, "tools[0].function.name"),
    ],
)
def test_the_request_models_decide_what_is_invalid(
    client: openai.OpenAI, overrides: dict[str, Any], param: str
) -> None:
    body = {"assistant_id": "asst_test", **overrides}
    with pytest.raises(pydantic.ValidationError) as rejected:
        CreateThreadAndRunRequest.model_validate(body)
    detail = rejected.value.errors()[0]["msg"].rstrip(".")
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.threads.create_and_run(assistant_id="asst_test", stream=True, extra_body=overrides)
    message = f"Invalid value for '{param}': {detail}."
    assert caught.value.body == {
        "message": message,
        "type": "invalid_request_error",
        "param": param,
        "code": None,
    }


def test_unknown_request_arguments_are_named(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.threads.create_and_run(assistant_id="asst_test", extra_body={"file_ids": []})
    assert str(caught.value) == "Error code: 400 - Unrecognized request argument supplied: file_ids"


def test_validation_can_be_switched_off() -> None:
    with FakeAssistantsServer(validate=False) as srv:
        response = httpx.post(f"{srv.base_url}/threads/runs", json={"assistant_id": "a", "temperature": 3})
    assert response.status_code == 200
    assert response.json()["temperature"] == 3.0


def test_unknown_paths_are_404_and_wrong_methods_405(server: FakeAssistantsServer) -> None:
    with httpx.Client(base_url=server.base_url) as http:
        missing = http.post("/assistants/nope", json={})
        wrong = http.get("/threads/runs")
        unknown_run = http.get("/threads/thread_x/runs/run_y")
        options = http.options("/threads/runs")
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "message": "Invalid URL (POST /v1/assistants/nope)",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    assert wrong.status_code == 405
    assert wrong.json()["error"]["message"] == "Invalid method for URL (GET /v1/threads/runs)"
    assert unknown_run.status_code == 404
    assert unknown_run.json()["error"]["message"] == "No thread found with id 'thread_x'."
    assert options.status_code == 204
    assert options.headers["allow"] == "POST, OPTIONS"


def test_head_answers_like_get_without_a_body_or_advancing_the_run(
    server: FakeAssistantsServer, client: openai.OpenAI
) -> None:
    run = client.beta.threads.create_and_run(assistant_id="asst_test", thread=THREAD)
    url = f"{server.base_url}/threads/{run.thread_id}/runs/{run.id}"
    head = httpx.head(url)
    assert head.status_code == 200
    assert head.content == b""
    assert int(head.headers["content-length"]) > 0
    assert httpx.get(url).json()["status"] == "in_progress"  # the HEAD did not use up the poll


def test_submitting_outputs_for_the_wrong_call_is_a_400(client: openai.OpenAI) -> None:
    run = client.beta.threads.create_and_run_poll(
        assistant_id="asst_test", thread=THREAD, tools=[WEATHER_TOOL]
    )
    assert run.required_action is not None
    call_id = run.required_action.submit_tool_outputs.tool_calls[0].id
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.threads.runs.submit_tool_outputs(
            thread_id=run.thread_id,
            run_id=run.id,
            tool_outputs=[{"tool_call_id": "call_wrong", "output": "x"}],
        )
    assert (
        str(caught.value)
        == f"Error code: 400 - Expected tool outputs for call_ids ['{call_id}'], got ['call_wrong']"
    )


def test_a_429_with_retry_after_ms_is_retried_by_the_sdk(server: FakeAssistantsServer) -> None:
    server.fail_next(status=429, times=1, retry_after=1, retry_after_ms=50)
    with openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=1) as sdk:
        started = time.monotonic()
        run = sdk.beta.threads.create_and_run(assistant_id="asst_test", thread=THREAD)
        elapsed = time.monotonic() - started
    assert run.status == "queued"
    assert 0.04 <= elapsed < 0.9  # retry-after-ms (50 ms) wins over retry-after (1 s)
    assert [r.headers["x-stainless-retry-count"] for r in server.requests] == ["0", "1"]


def test_a_429_with_only_retry_after_makes_the_sdk_wait_that_long(server: FakeAssistantsServer) -> None:
    server.fail_next(status=429, retry_after=1)
    with openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=1) as sdk:
        started = time.monotonic()
        sdk.beta.threads.create_and_run(assistant_id="asst_test", thread=THREAD)
        assert time.monotonic() - started >= 0.95


def test_injected_errors_carry_the_api_body_and_headers(
    server: FakeAssistantsServer, client: openai.OpenAI
) -> None:
    server.fail_next(status=429, retry_after=2, should_retry=False)
    server.fail_next(status=503, times=2, retry_after=None)
    with pytest.raises(openai.RateLimitError) as limited:
        client.beta.threads.create_and_run(assistant_id="asst_test", stream=True)
    assert limited.value.body == {
        "message": "Rate limit reached for requests. Please try again later.",
        "type": "requests",
        "param": None,
        "code": "rate_limit_exceeded",
    }
    assert limited.value.response.headers["retry-after"] == "2"
    assert limited.value.response.headers["x-should-retry"] == "false"
    for _ in range(2):
        with pytest.raises(openai.InternalServerError) as overloaded:
            client.beta.threads.create_and_run(assistant_id="asst_test")
        assert (
            str(overloaded.value)
            == "Error code: 503 - The engine is currently overloaded, please try again later."
        )
        assert "retry-after" not in overloaded.value.response.headers
    assert client.beta.threads.create_and_run(assistant_id="asst_test").status == "queued"


def test_the_fail_header_injects_an_error_per_request(server: FakeAssistantsServer) -> None:
    response = httpx.post(
        f"{server.base_url}/threads/runs", json={"assistant_id": "a"}, headers={"x-runreplay-fail": "500"}
    )
    assert response.status_code == 500
    assert response.json()["error"]["type"] == "server_error"
    assert httpx.post(f"{server.base_url}/threads/runs", json={"assistant_id": "a"}).status_code == 200


def test_bad_arguments_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError) as caught:
        FakeAssistantsServer(chunking="lines")
    assert str(caught.value) == (
        "unknown chunking 'lines': expected 'event', 'split_lines', 'split_utf8', 'whole' or 'bytes:N' "
        "with N >= 1 (for example 'bytes:7')"
    )
    with pytest.raises(ConfigurationError):
        FakeAssistantsServer(chunk_delay=-1)
    with pytest.raises(ConfigurationError):
        FakeAssistantsServer().fail_next(status=200)


# -- raw clients and the wire ----------------------------------------------------------------------


def test_event_chunking_sends_one_http_chunk_per_sse_event(server: FakeAssistantsServer) -> None:
    chunks = stream_raw(server)
    assert chunks == frames_of(b"".join(chunks))
    assert chunks[0].startswith(b"event: thread.created\ndata: {")
    assert chunks[-1] == b"event: done\ndata: [DONE]\n\n"
    assert all(b"\r" not in chunk for chunk in chunks)
    assert all(json.loads(chunk.split(b"\ndata: ")[1]) for chunk in chunks[:-1])


def test_split_lines_cuts_every_event_mid_line() -> None:
    with FakeAssistantsServer(seed=0) as plain, FakeAssistantsServer(seed=0, chunking="split_lines") as split:
        expected = b"".join(stream_raw(plain))
        chunks = stream_raw(split)
    assert b"".join(chunks) == expected
    assert len(chunks) == 5 * len(frames_of(expected))
    assert chunks[:2] == [b"eve", b"nt: thread.created\ndat"]
    assert all(chunk.decode() for chunk in chunks)  # mid-line, but never mid-character


def test_split_utf8_cuts_inside_multibyte_characters() -> None:
    with FakeAssistantsServer(seed=0) as plain, FakeAssistantsServer(seed=0, chunking="split_utf8") as split:
        expected = b"".join(stream_raw(plain))
        with httpx.Client() as http:
            with http.stream("POST", f"{split.base_url}/threads/runs", json=STREAM_BODY) as streamed:
                chunks = list(streamed.iter_raw())
            again = [
                http.post(f"{srv.base_url}/threads/runs", json=STREAM_BODY).content for srv in (plain, split)
            ]
    assert b"".join(chunks) == expected
    broken = [chunk for chunk in chunks if chunk[-1] >= 0xC0]
    assert broken
    with pytest.raises(UnicodeDecodeError):
        broken[0].decode()
    assert again[0] == again[1]  # a reading client sees the same body whatever the chunking


def test_fixed_size_chunks() -> None:
    with (
        FakeAssistantsServer(seed=0, chunking="bytes:7") as srv,
        httpx.Client() as http,
        http.stream("POST", f"{srv.base_url}/threads/runs", json=STREAM_BODY) as r,
    ):
        chunks = list(r.iter_raw())
    assert {len(chunk) for chunk in chunks[:-1]} == {7}
    assert 1 <= len(chunks[-1]) <= 7
    assert b"".join(chunks).endswith(b"event: done\ndata: [DONE]\n\n")


def test_requests_iter_lines_reads_the_stream(server: FakeAssistantsServer) -> None:
    with requests.post(
        f"{server.base_url}/threads/runs", json=STREAM_BODY, stream=True, timeout=10
    ) as response:
        lines = [line.decode() for line in response.iter_lines()]
    assert response.headers["Content-Type"] == "text/event-stream; charset=utf-8"
    names = [line.removeprefix("event: ") for line in lines if line.startswith("event: ")]
    assert collapse(names) == [*TEXT_EVENTS, "done"]
    assert [line for line in lines if line][-1] == "data: [DONE]"


def test_chunk_delay_spaces_chunks_out_on_the_wire() -> None:
    delay = 0.05
    with FakeAssistantsServer(seed=0, chunking="bytes:2048", chunk_delay=delay) as srv:
        arrivals: list[float] = []
        with (
            httpx.Client() as http,
            http.stream("POST", f"{srv.base_url}/threads/runs", json=STREAM_BODY) as r,
        ):
            for _ in r.iter_raw():
                arrivals.append(time.monotonic())
    gaps = len(arrivals) - 1
    assert gaps >= 4
    assert arrivals[-1] - arrivals[0] >= gaps * delay * 0.8


def test_drop_after_events_cuts_the_connection_mid_stream() -> None:
    with FakeAssistantsServer(seed=0) as plain:
        frames = stream_raw(plain)
    with FakeAssistantsServer(seed=0, drop_after_events=5) as dropping:
        received: list[bytes] = []
        with httpx2.Client() as http:
            with (
                pytest.raises(httpx2.RemoteProtocolError) as caught,
                http.stream("POST", f"{dropping.base_url}/threads/runs", json=STREAM_BODY) as r,
            ):
                received.extend(r.iter_raw())
            assert (
                str(caught.value)
                == "peer closed connection without sending complete message body (incomplete chunked read)"
            )
            assert (
                http.post(f"{dropping.base_url}/threads/runs", json={"assistant_id": "a"}).status_code == 200
            )
    assert received == frames[:5]


def test_sdk_sees_the_dropped_stream_as_an_error() -> None:
    with (
        FakeAssistantsServer(drop_after_events=3) as srv,
        openai.OpenAI(base_url=srv.base_url, api_key="sk-test", max_retries=0) as sdk,
    ):
        stream = sdk.beta.threads.create_and_run(assistant_id="asst_test", thread=THREAD, stream=True)
        names: list[str] = []
        with pytest.raises(openai.APIConnectionError) as caught:
            names.extend(event.event for event in stream)
    assert isinstance(caught.value.__cause__, httpx2.RemoteProtocolError)
    assert names == TEXT_EVENTS[:3]


def test_every_stream_frame_validates_against_the_reference_schema(server: FakeAssistantsServer) -> None:
    schema = json.loads((REFERENCE / "assistant_stream_events.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    text = b"".join(stream_raw(server))
    tool = b"".join(stream_raw(server, {**STREAM_BODY, "tools": [WEATHER_TOOL]}))
    run = json.loads(frames_of(tool)[-2].split(b"\ndata: ")[1])
    call_id = run["required_action"]["submit_tool_outputs"]["tool_calls"][0]["id"]
    submit = httpx.post(
        f"{server.base_url}/threads/{run['thread_id']}/runs/{run['id']}/submit_tool_outputs",
        json={"tool_outputs": [{"tool_call_id": call_id, "output": "ok"}], "stream": True},
    ).content
    frames = [frame for body in (text, tool, submit) for frame in frames_of(body)]
    assert len(frames) > 60
    for frame in frames:
        event_line, data_line = frame.decode().rstrip("\n").split("\n")
        name, data = event_line.removeprefix("event: "), data_line.removeprefix("data: ")
        instance = {"event": name, "data": data if name == "done" else json.loads(data)}
        assert list(validator.iter_errors(instance)) == [], frame


def test_malformed_http_gets_a_json_error_and_the_connection_closed(server: FakeAssistantsServer) -> None:
    for request, status in [
        (b"NONSENSE\r\n\r\n", b"400"),
        (b"BREW /v1/pot HTTP/1.1\r\nHost: x\r\n\r\n", b"501"),
    ]:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(request)
            raw = _read_until_closed(sock)
        head, _, body = raw.partition(b"\r\n\r\n")
        assert head.split(b" ")[1] == status
        assert b"content-type: application/json" in head
        assert json.loads(body)["error"]["type"] == "invalid_request_error"


def test_chunked_request_bodies_are_read(server: FakeAssistantsServer) -> None:
    response = httpx.post(
        f"{server.base_url}/threads/runs", content=iter([b'{"assistant_id":', b'"asst_chunked"}'])
    )
    assert response.status_code == 200
    assert server.requests[0].headers["transfer-encoding"] == "chunked"
    assert server.requests[0].body == {"assistant_id": "asst_chunked"}


def test_message_listing_orders_limits_and_filters(
    server: FakeAssistantsServer, client: openai.OpenAI
) -> None:
    run = client.beta.threads.create_and_run_poll(assistant_id="asst_test", thread=THREAD)
    url = f"{server.base_url}/threads/{run.thread_id}/messages"
    oldest_first = httpx.get(url, params={"order": "asc"}).json()
    assert [m["role"] for m in oldest_first["data"]] == ["user", "assistant"]
    assert oldest_first["first_id"] == oldest_first["data"][0]["id"]
    assert oldest_first["has_more"] is False
    assert [m["role"] for m in httpx.get(url, params={"run_id": run.id}).json()["data"]] == ["assistant"]
    bad = httpx.get(url, params={"limit": "0"})
    assert bad.status_code == 400
    assert (
        bad.json()["error"]["message"] == "Invalid 'limit': expected an integer between 1 and 100, got '0'."
    )
    assert httpx.get(f"{server.base_url}/threads/{run.thread_id}").json()["id"] == run.thread_id


# -- connections -----------------------------------------------------------------------------------


def _read_until_closed(sock: socket.socket) -> bytes:
    """Everything the peer sends until it closes (bounded by the socket timeout)."""
    parts: list[bytes] = []
    while data := sock.recv(65536):
        parts.append(data)
    return b"".join(parts)


def test_keep_alive_serves_pipelined_requests_and_connection_close_ends_it(
    server: FakeAssistantsServer,
) -> None:
    body = b'{"assistant_id":"asst_test"}'
    post = f"POST /v1/threads/runs HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n".encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(post + b"\r\n" + body + post + b"Connection: close\r\n\r\n" + body)
        raw = _read_until_closed(sock)
    assert raw.count(b"HTTP/1.1 200 OK\r\n") == 2
    assert b"connection: keep-alive\r\n" in raw
    assert raw.rstrip().endswith(b"}")
    assert b"connection: close\r\n" in raw.split(b"HTTP/1.1 200 OK\r\n")[2]


def test_the_sdk_reuses_one_connection_for_json_calls(server: FakeAssistantsServer) -> None:
    """The SDK closes a stream at `[DONE]` without reading the last chunk, so only JSON calls reuse."""
    ports: set[int] = set()

    def remember(response: httpx2.Response) -> None:
        stream = response.extensions["network_stream"]
        ports.add(stream.get_extra_info("client_addr")[1])

    http = httpx2.Client(event_hooks={"response": [remember]})
    with openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0, http_client=http) as sdk:
        run = sdk.beta.threads.create_and_run_poll(assistant_id="asst_test", thread=THREAD)
        sdk.beta.threads.messages.list(thread_id=run.thread_id)
    assert len(server.requests) == 4
    assert len(ports) == 1


def test_stop_is_prompt_closes_connections_and_refuses_new_ones() -> None:
    srv = FakeAssistantsServer(chunk_delay=5.0).start()
    port = srv.port
    idle = socket.create_connection(("127.0.0.1", port), timeout=5)
    idle.sendall(b"GET /v1/nothing HTTP/1.1\r\nHost: x\r\n\r\n")
    answer = idle.recv(65536)
    while not answer.endswith(b"}\n"):  # bounded by the socket timeout
        answer += idle.recv(65536)
    assert answer.startswith(b"HTTP/1.1 404 Not Found\r\n")
    with httpx2.Client() as http, http.stream("POST", f"{srv.base_url}/threads/runs", json=STREAM_BODY) as r:
        chunks = r.iter_raw()
        assert next(chunks).startswith(b"event: thread.created")  # the next chunk is 5 s away
        started = time.monotonic()
        srv.stop()
        assert time.monotonic() - started < 0.5
        with pytest.raises(httpx2.RemoteProtocolError):
            list(chunks)
    assert _read_until_closed(idle) == b""
    idle.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    srv.stop()  # idempotent
    with pytest.raises(RuntimeError):
        srv.start()


def test_requests_are_recorded_with_parsed_bodies(
    server: FakeAssistantsServer, client: openai.OpenAI
) -> None:
    assert server.requests == []
    client.beta.threads.create_and_run(assistant_id="asst_test", thread=THREAD, metadata={"k": "v"})
    (received,) = server.requests
    assert (received.method, received.path, received.query) == ("POST", "/v1/threads/runs", "")
    assert received.body == {"assistant_id": "asst_test", "thread": THREAD, "metadata": {"k": "v"}}
    assert json.loads(received.raw_body) == received.body
    assert received.headers["authorization"] == "Bearer sk-test"
    assert received.headers["openai-beta"] == "assistants=v2"
    server.clear_requests()
    assert server.requests == []


# -- determinism -----------------------------------------------------------------------------------


def _exchange(port: int, method: str, path: str, body: dict[str, Any] | None = None) -> bytes:
    """One raw HTTP/1.1 exchange on a fresh connection: the response bytes exactly as sent."""
    payload = json.dumps(body).encode() if body is not None else b""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(head.encode() + payload)
        return _read_until_closed(sock)


def _first(pattern: bytes, data: bytes) -> str:
    """The first capture group of `pattern` in `data`, decoded."""
    match = re.search(pattern, data)
    assert match is not None, pattern
    return match.group(1).decode()


def transcript(port: int) -> list[bytes]:
    """A fixed sequence of requests against a fresh server; every response's bytes, headers included."""
    out = [_exchange(port, "POST", "/v1/threads/runs", STREAM_BODY)]
    out.append(_exchange(port, "POST", "/v1/threads/runs", {"assistant_id": "asst_test", "thread": THREAD}))
    thread_id = _first(rb'"thread_id": "(thread_\w+)"', out[-1])
    run_id = _first(rb'"id": "(run_\w+)"', out[-1])
    out += [_exchange(port, "GET", f"/v1/threads/{thread_id}/runs/{run_id}") for _ in range(2)]
    out.append(_exchange(port, "GET", f"/v1/threads/{thread_id}/messages?order=asc"))
    out.append(_exchange(port, "POST", "/v1/threads/runs", {**STREAM_BODY, "tools": [WEATHER_TOOL]}))
    thread_id = _first(rb'"thread_id":"(thread_\w+)"', out[-1])
    run_id = _first(rb'"id":"(run_\w+)"', out[-1])
    call_id = _first(rb'"id":"(call_\w+)"', out[-1])
    outputs = {"tool_outputs": [{"tool_call_id": call_id, "output": "sunny"}], "stream": True}
    out.append(_exchange(port, "POST", f"/v1/threads/{thread_id}/runs/{run_id}/submit_tool_outputs", outputs))
    out.append(_exchange(port, "DELETE", "/v1/threads/runs"))
    return out


def seeded_transcript(seed: int) -> list[bytes]:
    """`transcript` against a fresh in-process server."""
    with FakeAssistantsServer(seed=seed) as srv:
        return transcript(srv.port)


def test_the_same_seed_gives_byte_identical_responses_across_instances_and_processes() -> None:
    first = seeded_transcript(7)
    assert first == seeded_transcript(7)
    assert [r.split(b" ", 2)[1] for r in first] == [b"200"] * 7 + [b"405"]
    command = [sys.executable, "-m", "runreplay.fakeserver", "--seed", "7"]
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env) as child:
        assert child.stdout is not None
        assert child.stdin is not None
        try:
            base_url = child.stdout.readline().decode().strip()
            assert re.fullmatch(r"http://127\.0\.0\.1:[0-9]+/v1", base_url)
            other = transcript(int(base_url.rsplit(":", 1)[1].removesuffix("/v1")))
        finally:
            child.terminate()  # the server serves until SIGINT or SIGTERM
            returncode = child.wait(timeout=10)
    assert returncode == 0
    assert other == first


def test_different_seeds_give_different_ids_and_answers() -> None:
    zero, one = seeded_transcript(0), seeded_transcript(1)
    ids = [
        set(re.findall(rb"(?:thread|run|step|msg|call|req)_[A-Za-z0-9]{24,32}", r)) for r in (zero[0], one[0])
    ]
    assert ids[0]
    assert not ids[0] & ids[1]
    assert zero[0] != one[0]
