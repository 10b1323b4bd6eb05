"""`POST /v1/responses` through the real `openai` SDK, sync and async: record from the embedded server into
a temporary cassette, stop the server, then replay with the network blocked (loopback included) and
compare what the SDK gives back. Covers `responses.create(stream=True)`, `responses.stream(...)` with its
event helpers, `responses.parse(...)` with a pydantic `text_format`, a function-calling loop
(`function_call_output` with `previous_response_id`) and a non-streamed call."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import openai
import pytest
from pydantic import BaseModel

from runreplay.fakeserver import FakeAssistantsServer
from runreplay.models import responses
from runreplay.recording import use_cassette
from runreplay.recording._guard import AllowedHosts, NetworkGuard

KEY = "sk-test-0123456789abcdefghijklmnop"
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather for a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}


class Weather(BaseModel):
    city: str
    temperature_c: float
    summary: str


def _replay_guard() -> NetworkGuard:
    return NetworkGuard(AllowedHosts.parse(""), test="replay")


def _record_then_replay(tmp_path: Path, scenario: Callable[[openai.OpenAI], Any]) -> tuple[Any, Any]:
    """`scenario(client)` live while recording, then again from the cassette with nothing allowed to connect."""
    path = tmp_path / "responses.yaml"
    with FakeAssistantsServer(seed=11) as server:
        base_url = server.base_url
        with (
            use_cassette(path, record_mode="once"),
            openai.OpenAI(base_url=base_url, api_key=KEY, max_retries=0) as client,
        ):
            live = scenario(client)
    with (
        _replay_guard(),
        use_cassette(path) as session,
        openai.OpenAI(base_url=base_url, api_key=KEY, max_retries=0) as client,
    ):
        replayed = scenario(client)
        assert session.stats().unplayed == []
    return live, replayed


def _record_then_replay_async(
    tmp_path: Path, scenario: Callable[[openai.AsyncOpenAI], Awaitable[Any]]
) -> tuple[Any, Any]:
    path = tmp_path / "responses_async.yaml"

    async def run(base_url: str) -> Any:
        async with openai.AsyncOpenAI(base_url=base_url, api_key=KEY, max_retries=0) as client:
            return await scenario(client)

    with FakeAssistantsServer(seed=11) as server:
        base_url = server.base_url
        with use_cassette(path, record_mode="once"):
            live = anyio.run(run, base_url)
    with _replay_guard(), use_cassette(path) as session:
        replayed = anyio.run(run, base_url)
        assert session.stats().unplayed == []
    return live, replayed


def _dumps(events: list[Any]) -> list[dict[str, Any]]:
    return [event.model_dump(mode="json") for event in events]


def test_create_stream_true_yields_the_same_events_and_every_event_parses(tmp_path: Path) -> None:
    def scenario(client: openai.OpenAI) -> Any:
        return _dumps(
            list(client.responses.create(model="gpt-4o", input="What is the capital of France?", stream=True))
        )

    live, replayed = _record_then_replay(tmp_path, scenario)
    assert replayed == live
    types = [event["type"] for event in live]
    assert types[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert types[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [event["sequence_number"] for event in live] == list(range(len(live)))
    for event in live:
        parsed = responses.parse_event(event["type"], json.dumps(event))
        assert type(parsed) is responses.EVENT_CLASSES[event["type"]]


def test_stream_helper_gives_the_same_text_deltas_and_final_response(tmp_path: Path) -> None:
    def scenario(client: openai.OpenAI) -> Any:
        with client.responses.stream(model="gpt-4o", input="Hello there") as stream:
            texts = [(e.delta, e.snapshot) for e in stream if e.type == "response.output_text.delta"]
            final = stream.get_final_response()
        with client.responses.stream(
            model="gpt-4o", input="Weather in Oslo?", tools=[WEATHER_TOOL]
        ) as stream:
            calls = [
                (e.delta, e.snapshot) for e in stream if e.type == "response.function_call_arguments.delta"
            ]
            parsed_call = stream.until_done().get_final_response().output[0]
        return texts, final.output_text, final.id, calls, parsed_call.arguments

    live, replayed = _record_then_replay(tmp_path, scenario)
    assert replayed == live
    texts, text, _, calls, arguments = live
    assert len(texts) > 3
    # The helper's snapshots accumulate the deltas, for text and for function-call arguments alike.
    assert [snapshot for _, snapshot in texts] == [
        "".join(d for d, _ in texts[: i + 1]) for i in range(len(texts))
    ]
    assert texts[-1][1] == text
    assert calls[-1][1] == arguments == "".join(delta for delta, _ in calls)


def test_parse_with_a_pydantic_text_format(tmp_path: Path) -> None:
    def scenario(client: openai.OpenAI) -> Any:
        parsed = client.responses.parse(
            model="gpt-4o", input="Weather in Lisbon, please.", text_format=Weather
        )
        return parsed.output_parsed

    live, replayed = _record_then_replay(tmp_path, scenario)
    assert isinstance(live, Weather)
    assert replayed == live


def _weather_loop(client: openai.OpenAI) -> Any:
    """The function-calling loop an app runs: call, run the tool, send `function_call_output` back."""
    first = client.responses.create(
        model="gpt-4o", input="What's the weather in Lisbon?", tools=[WEATHER_TOOL]
    )
    call = next(item for item in first.output if item.type == "function_call")
    arguments = json.loads(call.arguments)
    output = json.dumps({"city": arguments["city"], "temperature_c": 21.5})
    second = client.responses.create(
        model="gpt-4o",
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": output}],
        tools=[WEATHER_TOOL],
    )
    return call.name, arguments, second.previous_response_id == first.id, second.output_text


def test_function_calling_loop_with_previous_response_id(tmp_path: Path) -> None:
    live, replayed = _record_then_replay(tmp_path, _weather_loop)
    assert replayed == live
    name, arguments, chained, text = live
    assert (name, list(arguments), chained) == ("get_weather", ["city"], True)
    assert '"temperature_c": 21.5' in text


def test_streamed_function_call_arguments_arrive_as_deltas(tmp_path: Path) -> None:
    def scenario(client: openai.OpenAI) -> Any:
        events = list(
            client.responses.create(
                model="gpt-4o", input="Weather in Oslo?", tools=[WEATHER_TOOL], stream=True
            )
        )
        deltas = [e.delta for e in events if e.type == "response.function_call_arguments.delta"]
        done = next(e for e in events if e.type == "response.function_call_arguments.done")
        return deltas, done.arguments

    live, replayed = _record_then_replay(tmp_path, scenario)
    assert replayed == live
    deltas, arguments = live
    assert len(deltas) > 1
    assert "".join(deltas) == arguments


def test_non_streamed_call_and_a_400_replay(tmp_path: Path) -> None:
    def scenario(client: openai.OpenAI) -> Any:
        answer = client.responses.create(model="gpt-4o", input="Say hi", temperature=0.2)
        with pytest.raises(openai.BadRequestError) as caught:
            client.responses.create(model="gpt-4o", input="Say hi", temperature=2.5)
        return answer.output_text, answer.usage.total_tokens if answer.usage else None, caught.value.body

    live, replayed = _record_then_replay(tmp_path, scenario)
    assert replayed == live
    assert live[2] == {
        "message": "Invalid request: expected at most 2, got 2.5 at 'temperature' (rule temperature.maximum).",
        "type": "invalid_request_error",
        "param": "temperature",
        "code": "invalid_value",
    }


def test_async_stream_and_function_loop_replay(tmp_path: Path) -> None:
    async def scenario(client: openai.AsyncOpenAI) -> Any:
        stream = await client.responses.create(model="gpt-4o", input="Bonjour !", stream=True)
        events = [event.model_dump(mode="json") async for event in stream]
        async with client.responses.stream(model="gpt-4o", input="Hallo") as helper:
            final = await helper.get_final_response()
        first = await client.responses.create(model="gpt-4o", input="Weather in Rome?", tools=[WEATHER_TOOL])
        call = next(item for item in first.output if item.type == "function_call")
        second = await client.responses.create(
            model="gpt-4o",
            previous_response_id=first.id,
            input=[
                {"type": "function_call_output", "call_id": call.call_id, "output": '{"temperature_c": 19}'}
            ],
        )
        parsed = await client.responses.parse(model="gpt-4o", input="Weather?", text_format=Weather)
        return events, final.output_text, second.output_text, parsed.output_parsed

    live, replayed = _record_then_replay_async(tmp_path, scenario)
    assert replayed == live
    assert live[0][-1]["type"] == "response.completed"
    assert isinstance(live[3], Weather)


def test_an_in_stream_error_event_reaches_the_sdk_and_replays(tmp_path: Path) -> None:
    def scenario(client: openai.OpenAI) -> Any:
        stream = client.responses.create(
            model="gpt-4o", input="Hi", stream=True, metadata={"runreplay_fault": "stream_error"}
        )
        return _dumps(list(stream))

    live, replayed = _record_then_replay(tmp_path, scenario)
    assert replayed == live
    assert [event["type"] for event in live] == ["response.created", "response.in_progress", "error"]
    assert live[-1]["message"] == "The server had an error while processing your request."
