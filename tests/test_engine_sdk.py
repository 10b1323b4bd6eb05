"""End to end with the real `openai` SDK (which sends through httpx2): record from the embedded server,
stop it, replay with the network blocked, and compare what the SDK yields."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import anyio
import openai
import pytest
from openai import AssistantEventHandler

from runreplay.cassette import load
from runreplay.fakeserver import FakeAssistantsServer
from runreplay.recording import use_cassette
from runreplay.recording._guard import AllowedHosts, NetworkGuard

pytestmark = pytest.mark.filterwarnings("ignore:The Assistants API is deprecated:DeprecationWarning")

THREAD = {"messages": [{"role": "user", "content": "What is the capital of France?"}]}
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def _client(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key="sk-test-0123456789abcdefghijklmnop", max_retries=0)


def _events(stream: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(event.event, event.data.model_dump()) for event in stream]


class _Recorder(AssistantEventHandler):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []
        self.text: list[str] = []

    def on_text_delta(self, delta: Any, snapshot: Any) -> None:
        self.text.append(delta.value)

    def on_tool_call_done(self, tool_call: Any) -> None:
        self.calls.append(tool_call.function.arguments)


def _record_then_replay(tmp_path: Path, scenario: Any, **server_options: Any) -> tuple[Any, Any, int]:
    """Run `scenario(client)` against the live server while recording, then against the cassette."""
    path = tmp_path / "sdk.yaml"
    with FakeAssistantsServer(seed=7, **server_options) as server:
        with use_cassette(path, record_mode="once"), _client(server.base_url) as client:
            live = scenario(client)
        base_url = server.base_url
        requests_seen = len(server.requests)
    # Replay with the network blocked for everything, loopback included: nothing may connect.
    with (
        NetworkGuard(AllowedHosts.parse(""), test="replay"),
        use_cassette(path) as session,
        _client(base_url) as client,
    ):
        replayed = scenario(client)
        assert session.stats().unplayed == []
    return live, replayed, requests_seen


def test_create_and_run_stream_true_yields_the_same_events(tmp_path: Path) -> None:
    def scenario(client: openai.OpenAI) -> Any:
        return _events(client.beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD, stream=True))

    live, replayed, _ = _record_then_replay(tmp_path, scenario)
    assert replayed == live
    assert live[0][0] == "thread.created"
    assert live[-1][0] == "thread.run.completed"


def test_the_raw_chunks_the_sdk_reads_are_the_same_as_live(tmp_path: Path) -> None:
    def scenario(client: openai.OpenAI) -> Any:
        with client.beta.threads.with_streaming_response.create_and_run(
            assistant_id="asst_1", thread=THREAD, stream=True
        ) as response:
            return list(response.http_response.iter_raw())

    live, replayed, _ = _record_then_replay(tmp_path, scenario, chunking="split_utf8")
    assert replayed == live
    assert len(live) > 20


def test_event_handler_sees_the_same_text_deltas(tmp_path: Path) -> None:
    def scenario(client: openai.OpenAI) -> Any:
        handler = _Recorder()
        with client.beta.threads.create_and_run_stream(
            assistant_id="asst_1", thread=THREAD, event_handler=handler
        ) as stream:
            stream.until_done()
        return handler.text

    live, replayed, _ = _record_then_replay(tmp_path, scenario)
    assert replayed == live
    assert len(live) > 3


def test_create_and_run_poll_replays_the_polls_in_order(tmp_path: Path) -> None:
    def scenario(client: openai.OpenAI) -> Any:
        run = client.beta.threads.create_and_run_poll(
            assistant_id="asst_1", thread=THREAD, poll_interval_ms=10
        )
        return run.status, run.id

    live, replayed, _ = _record_then_replay(tmp_path, scenario)
    assert replayed == live
    assert live[0] == "completed"


def test_requires_action_then_submit_tool_outputs_stream(tmp_path: Path) -> None:
    def scenario(client: openai.OpenAI) -> Any:
        first = _Recorder()
        with client.beta.threads.create_and_run_stream(
            assistant_id="asst_1", thread=THREAD, tools=[WEATHER_TOOL], event_handler=first
        ) as stream:
            stream.until_done()
            run = stream.get_final_run()
        assert run.status == "requires_action"
        assert run.required_action is not None
        calls = run.required_action.submit_tool_outputs.tool_calls
        second = _Recorder()
        with client.beta.threads.runs.submit_tool_outputs_stream(
            thread_id=run.thread_id,
            run_id=run.id,
            tool_outputs=[{"tool_call_id": call.id, "output": "22 C and sunny"} for call in calls],
            event_handler=second,
        ) as stream:
            stream.until_done()
            final = stream.get_final_run()
        return first.calls, "".join(second.text), final.status

    live, replayed, requests_seen = _record_then_replay(tmp_path, scenario)
    assert replayed == live
    assert live[2] == "completed"
    assert requests_seen == 2


def test_non_streamed_call_and_a_400_error_replay(tmp_path: Path) -> None:
    def scenario(client: openai.OpenAI) -> Any:
        run = client.beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD)
        with pytest.raises(openai.BadRequestError) as excinfo:
            client.beta.threads.create_and_run(assistant_id="asst_1", temperature=3)
        return run.model_dump(), excinfo.value.status_code, str(excinfo.value)

    live, replayed, _ = _record_then_replay(tmp_path, scenario)
    assert replayed == live
    assert live[1] == 400


def test_async_client_replays_the_same_events(tmp_path: Path) -> None:
    async def run_async(base_url: str) -> Any:
        async with openai.AsyncOpenAI(
            base_url=base_url, api_key="sk-test-0123456789abcdefghijklmnop", max_retries=0
        ) as client:
            stream = await client.beta.threads.create_and_run(
                assistant_id="asst_1", thread=THREAD, stream=True
            )
            return [(event.event, event.data.model_dump()) async for event in stream]

    path = tmp_path / "async.yaml"
    with FakeAssistantsServer(seed=8) as server:
        with use_cassette(path, record_mode="once"):
            live = anyio.run(run_async, server.base_url)
        base_url = server.base_url
    with use_cassette(path):
        replayed = anyio.run(run_async, base_url)
    assert replayed == live


def test_recorded_timing_is_kept_within_twenty_percent_at_speed_one(tmp_path: Path) -> None:
    def scenario(client: openai.OpenAI) -> Any:
        started = time.perf_counter()
        times = [
            time.perf_counter() - started
            for _ in client.beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD, stream=True)
        ]
        return times

    path = tmp_path / "timed.yaml"
    with FakeAssistantsServer(seed=9, chunk_delay=0.03) as server:
        with use_cassette(path, record_mode="once"), _client(server.base_url) as client:
            live = scenario(client)
        base_url = server.base_url
    with use_cassette(path, replay_speed=1):
        replayed = scenario(_client(base_url))
    assert len(replayed) == len(live)
    assert abs(replayed[-1] - live[-1]) <= 0.2 * live[-1]


def test_no_secret_reaches_the_cassette(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    with (
        FakeAssistantsServer(seed=10) as server,
        use_cassette(path, record_mode="once"),
        openai.OpenAI(
            base_url=server.base_url,
            api_key="sk-proj-LIVEsecret0123456789abcdef",
            organization="org-SECRETorganization123",
            project="proj_SECRETproject1234567",
            max_retries=0,
        ) as client,
    ):
        list(client.beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD, stream=True))
    text = path.read_text()
    for secret in (
        "sk-proj-LIVEsecret0123456789abcdef",
        "org-SECRETorganization123",
        "proj_SECRETproject1234567",
    ):
        assert secret not in text
    request = load(path).interactions[0].request
    assert request.header("authorization") == "Bearer <REDACTED>"
